/** How the lease store names a client. */
import type { DhcpPacket } from '../wire/dhcp/packet.js';
import { getClientId } from '../wire/dhcp/options.js';
import { HEX_BYTE as HEX } from '../wire/hex-byte.js';
import { ethernetKeyHex } from '../wire/hardware-address-text.js';


/** Lower-case hex of `bytes[from..to)`, built without an intermediate Buffer (this runs for every request). */
function hexOf(bytes: Uint8Array, from: number, to: number, prefix: string): string {
  let out = prefix;
  for (let i = from; i < to; i++) out += HEX[bytes[i] as number] as string;
  return out;
}

/**
 * RFC 2131 §4.2: a client is named by its client identifier (option 61) when it sends one,
 * else by hardware type + chaddr. Both become lower-case hex of the same shape, so a
 * client sending 61 = type 1 + MAC (iPXE, EDK2, udhcpc) and the same machine without 61
 * (a BIOS PXE ROM earlier in the same boot) keep one lease.
 */
export function clientKey(p: DhcpPacket): string {
  const id = getClientId(p.options);
  if (id !== null) return id.length === 7 && id[0] === 1 ? ethernetKeyHex(id, 1) : hexOf(id, 0, id.length, '');
  const hlen = Math.min(p.hlen, 16, p.chaddr.length);
  if (hlen === 6 && (p.htype & 0xff) === 1) return ethernetKeyHex(p.chaddr, 0);
  return hexOf(p.chaddr, 0, hlen, HEX[p.htype & 0xff] as string);
}
