/**
 * Stable error codes for Router Discovery decoding. Each is documented in
 * `src/wire/ndp/README.md` (a test keeps the two in step).
 */
export const NDP_DECODE_ERRORS = {
  NDP_TRUNCATED: 'shorter than the fixed header of its type (8 bytes for RS, 16 for RA), or an option runs past the end',
  NDP_UNSUPPORTED_TYPE: 'the ICMPv6 type is not 133 (Router Solicitation) or 134 (Router Advertisement)',
  NDP_BAD_CODE: 'the ICMPv6 code is not 0 (RFC 4861 §6.1.1, §6.1.2: discard)',
  NDP_BAD_OPTION: 'an option has length 0 (RFC 4861 §4.6: discard the whole message)',
  NDP_TOO_LARGE: 'longer than NDP_MAX_DECODE_SIZE (65535 bytes): no IPv6 payload is',
} as const;

export type NdpDecodeErrorCode = keyof typeof NDP_DECODE_ERRORS;

/** Why a message could not be decoded; `offset` is the byte where decoding stopped. */
export interface NdpDecodeError {
  code: NdpDecodeErrorCode;
  message: string;
  offset: number;
}
