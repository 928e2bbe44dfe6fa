/**
 * Stable error codes for DHCP decoding. Each is documented in `src/wire/dhcp/README.md`
 * (a test keeps the two in step).
 */
export const DHCP_DECODE_ERRORS = {
  DHCP_TRUNCATED: 'shorter than the 240-byte header and magic cookie, or an option runs past the end of the message',
  DHCP_BAD_MAGIC: 'bytes 236..239 are not the magic cookie 99.130.83.99 (plain BOOTP, or not DHCP at all)',
  DHCP_BAD_OPTION: 'option 52 is not one byte 1..3, or an option inside an overloaded sname/file field runs past that field',
  DHCP_BAD_HLEN: 'hlen is over 16, so chaddr cannot hold the hardware address',
  DHCP_TOO_LARGE: 'longer than MAX_DECODE_SIZE (65536 bytes): no UDP payload is',
} as const;

export type DhcpDecodeErrorCode = keyof typeof DHCP_DECODE_ERRORS;

/** Why a message could not be decoded; `offset` is the byte where decoding stopped. */
export type DhcpDecodeError = { code: DhcpDecodeErrorCode; message: string; offset: number };
