/**
 * DHCP/BOOTP wire codec (RFC 2131 §2, RFC 2132, RFC 3396, RFC 3046). Pure: no I/O.
 */
import type { DhcpPacket } from './packet.js';

/** Stable error codes for a packet that cannot be decoded. */
export type DhcpDecodeError = {
  code: 'DHCP_TRUNCATED' | 'DHCP_BAD_MAGIC' | 'DHCP_BAD_OPTION' | 'DHCP_BAD_HLEN' | 'DHCP_TOO_LARGE';
  message: string;
  offset: number;
};

export type DhcpDecodeResult = { ok: true; packet: DhcpPacket } | { ok: false; error: DhcpDecodeError };

/** Decode one DHCP message (a UDP payload). Never throws. */
export function decodeDhcp(bytes: Uint8Array): DhcpDecodeResult {
  return { ok: false, error: { code: 'DHCP_TRUNCATED', message: `not implemented (${bytes.length})`, offset: 0 } };
}

export interface EncodeOptions {
  /** Default 300: the BOOTP minimum message size; shorter messages are padded with zeros. */
  minSize?: number;
  /** Default 576, or the client's option 57 passed by the caller. */
  maxSize?: number;
  /** Default false: never put options in sname/file unless asked (gPXE breaks). */
  allowOverload?: boolean;
}

/** Encode a DHCP message. */
export function encodeDhcp(packet: DhcpPacket, opts: EncodeOptions = {}): Buffer {
  void packet;
  return Buffer.alloc(opts.minSize ?? 300);
}
