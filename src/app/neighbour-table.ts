/**
 * The kernel's IPv4 neighbour (ARP) table of this network namespace, as a last way to tell
 * which machine an HTTP or TFTP request comes from when neither the URL (`?mac=`) nor our own
 * DHCP replies say: in proxy mode the LAN's server gave the address, and a tutorial's static
 * `dhcp-boot=…/boot.ipxe` carries no MAC. A client on the same segment is in the table the
 * moment its connection is answered; a relayed one never is (only its router is), so the
 * table can miss but not name the wrong machine.
 */
import { readFileSync } from 'node:fs';

const ATF_COM = 0x2;
const MAC = /^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/;

/** `/proc/net/arp` as a map from address to lower-case MAC; incomplete and all-zero entries left out. */
export function parseProcNetArp(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n').slice(1)) {
    const [ip, , flags, mac] = line.trim().split(/\s+/);
    if (ip === undefined || flags === undefined || mac === undefined) continue;
    const lower = mac.toLowerCase();
    if ((Number.parseInt(flags, 16) & ATF_COM) === 0 || !MAC.test(lower) || lower === '00:00:00:00:00:00') continue;
    out.set(ip, lower);
  }
  return out;
}

/** The MAC the kernel has for `ip` on a directly attached segment, or undefined. Never throws. */
export function neighbourMac(ip: string, read: () => string = () => readFileSync('/proc/net/arp', 'latin1')): string | undefined {
  try {
    return parseProcNetArp(read()).get(ip);
  } catch {
    return undefined;
  }
}
