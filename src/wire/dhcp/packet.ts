/**
 * The DHCP/BOOTP message as typed data (RFC 2131 §2, RFC 2132).
 *
 * Options are kept losslessly as `code → bytes` in arrival order so that an option
 * bootfleet does not understand survives a decode/encode round trip; typed getters
 * and builders live in `options.ts`.
 */

export enum MessageType {
  Discover = 1,
  Offer = 2,
  Request = 3,
  Decline = 4,
  Ack = 5,
  Nak = 6,
  Release = 7,
  Inform = 8,
}

export enum BootOp {
  Request = 1,
  Reply = 2,
}

/** RFC 2131 §2: the only flag defined is BROADCAST, the high bit of `flags`. */
export const FLAG_BROADCAST = 0x8000;

export interface DhcpPacket {
  /** As sent: a decoded value outside 1..2 is kept (lossless), the server drops it. */
  op: BootOp;
  htype: number;
  hlen: number;
  hops: number;
  xid: number;
  secs: number;
  flags: number;
  /** Dotted-quad strings; "0.0.0.0" when unset. */
  ciaddr: string;
  yiaddr: string;
  siaddr: string;
  giaddr: string;
  /** The 16-byte chaddr field as sent; the MAC is its first `hlen` bytes. */
  chaddr: Buffer;
  /**
   * Fixed BOOTP fields, read as C strings (up to the first NUL). When option 52 overloads a
   * field with options, its value comes from option 66 (sname) / 67 (file) instead, '' when absent.
   */
  sname: string;
  file: string;
  /**
   * Options in the order first seen, each already joined across repeats (RFC 3396)
   * and across overloaded sname/file areas. Pad (0), End (255) and Overload (52) are
   * not stored: they are framing, not content.
   */
  options: Map<number, Buffer>;
}
