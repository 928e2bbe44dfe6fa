/** What the responder needs to know about an interface from the host. */
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';

/** The interface's MAC (null for none or all zeros) and whether it has an IPv6 link-local address. */
export function linkFacts(device: string): { mac: string | null; hasLinkLocal: boolean } {
  const entries = networkInterfaces()[device] ?? [];
  const mac = entries.find((e) => e.mac && e.mac !== '00:00:00:00:00:00')?.mac ?? null;
  const hasLinkLocal = entries.some((e) => e.family === 'IPv6' && e.address.toLowerCase().startsWith('fe80:'));
  return { mac, hasLinkLocal };
}

/**
 * `net.ipv6.conf.<device>.forwarding`: this host routes IPv6 on the interface, so it (or its
 * radvd) is the link's router and bootfleet must not speak for it. Unreadable counts as no.
 */
export function hostForwardsIpv6(device: string): boolean {
  if (!/^[A-Za-z0-9._@-]{1,15}$/.test(device)) return false;
  try {
    return readFileSync(`/proc/sys/net/ipv6/conf/${device}/forwarding`, 'utf8').trim() === '1';
  } catch {
    return false;
  }
}
