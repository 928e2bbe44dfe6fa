/**
 * The ICMPv6 checksum (RFC 4443 §2.3) over the IPv6 pseudo-header (RFC 8200 §8.1). The
 * kernel computes it for raw ICMPv6 sockets; this is for test vectors and for checking
 * captured packets.
 */

/** Checksum of `message` (its checksum field taken as zero) sent from `src` to `dst`. */
export function icmpv6Checksum(src: Uint8Array, dst: Uint8Array, message: Uint8Array): number {
  if (src.length !== 16 || dst.length !== 16) throw new RangeError('addresses are 16 bytes');
  let sum = 0;
  const add16 = (hi: number, lo: number): void => {
    sum += (hi << 8) | lo;
  };
  for (let i = 0; i < 16; i += 2) {
    add16(src[i]!, src[i + 1]!);
    add16(dst[i]!, dst[i + 1]!);
  }
  const len = message.length;
  sum += (len >>> 16) & 0xffff;
  sum += len & 0xffff;
  sum += 58; // next header: ICMPv6
  for (let i = 0; i < len; i += 2) {
    // Bytes 2 and 3 hold the checksum itself: counted as zero.
    const hi = i === 2 ? 0 : message[i]!;
    const lo = i + 1 === 3 ? 0 : (message[i + 1] ?? 0);
    add16(hi, lo);
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** A copy of `message` with its checksum field filled in. */
export function withIcmpv6Checksum(src: Uint8Array, dst: Uint8Array, message: Uint8Array): Buffer {
  const out = Buffer.from(message);
  out.writeUInt16BE(icmpv6Checksum(src, dst, message), 2);
  return out;
}
