/** How the lease store names a client. */
import type { DhcpPacket } from '../wire/dhcp/packet.js';
import { getClientId } from '../wire/dhcp/options.js';

/**
 * RFC 2131 §4.2: a client is named by its client identifier (option 61) when it sends one,
 * else by hardware type + chaddr. Both become lower-case hex of the same shape, so a
 * client sending 61 = type 1 + MAC (iPXE, EDK2, udhcpc) and the same machine without 61
 * (a BIOS PXE ROM earlier in the same boot) keep one lease.
 */
export function clientKey(p: DhcpPacket): string {
  const id = getClientId(p.options);
  if (id !== null) return id.toString('hex');
  const hlen = Math.min(p.hlen, 16, p.chaddr.length);
  return Buffer.concat([Buffer.from([p.htype & 0xff]), p.chaddr.subarray(0, hlen)]).toString('hex');
}
