/**
 * dnsmasq's lease file (`dhcp-leasefile`, default /var/lib/misc/dnsmasq.leases): read once
 * when bootfleet starts a dnsmasq configuration, so clients dnsmasq served keep their
 * addresses. bootfleet keeps its own leases in its store from then on and never writes the
 * file (dnsmasq, run again later, finds it as it left it).
 *
 * Format (lease.c `lease_init`), one lease per line:
 * `<expiry epoch seconds, 0 = infinite> <MAC> <IPv4> <hostname or *> <client id or *>`.
 * DHCPv6 lines (`duid …` and the ones after it) are skipped.
 */
import type { LeaseStore } from '../store/lease-store.js';

export interface DnsmasqLease {
  /** Epoch seconds; 0 means infinite. */
  expiry: number;
  mac: string;
  address: string;
  hostname: string | null;
  /** Option 61 bytes as lower-case hex, or null. */
  clientId: string | null;
}

const MAC = /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Parses the file's text; lines that are not IPv4 leases are skipped and counted. */
export function parseDnsmasqLeases(text: string): { leases: DnsmasqLease[]; skipped: number } {
  const leases: DnsmasqLease[] = [];
  let skipped = 0;
  let v6 = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const f = line.split(/\s+/);
    if (f[0] === 'duid') {
      v6 = true;
      continue;
    }
    const [expiry, mac, address, hostname, clientId] = f;
    const ok =
      !v6 && expiry !== undefined && /^\d+$/.test(expiry) && mac !== undefined && MAC.test(mac.toLowerCase()) && address !== undefined &&
      IPV4.test(address) && address.split('.').every((o) => Number(o) <= 255);
    if (!ok) {
      skipped++;
      continue;
    }
    leases.push({
      expiry: Number(expiry),
      mac: (mac as string).toLowerCase(),
      address: address as string,
      hostname: hostname === undefined || hostname === '*' ? null : hostname,
      clientId: clientId === undefined || clientId === '*' ? null : clientId.replace(/:/g, '').toLowerCase(),
    });
  }
  return { leases, skipped };
}

/**
 * Adds the file's unexpired leases inside `accept` to the store as bound leases, for clients
 * and addresses the store knows nothing current about (bootfleet's own leases win).
 * The store names clients by option 61, else hardware type 1 + MAC (`dhcp/client-key.ts`).
 */
export async function importDnsmasqLeases(
  store: LeaseStore, leases: readonly DnsmasqLease[], accept: (address: string) => boolean, now: number,
): Promise<{ imported: number; skipped: number }> {
  let imported = 0;
  let skipped = 0;
  for (const l of leases) {
    // Infinite leases are stored as 0xffffffff seconds from now, like the lease time dnsmasq sends.
    const expiresAt = l.expiry === 0 ? now + 0xffffffff * 1000 : l.expiry * 1000;
    const clientId = l.clientId ?? `01${l.mac.replace(/:/g, '')}`;
    if (expiresAt <= now || !accept(l.address) || (await store.getByClient(clientId)) !== null) {
      skipped++;
      continue;
    }
    const r = await store.claim({ clientId, mac: l.mac, address: l.address, state: 'bound', expiresAt, hostname: l.hostname, now });
    if (r.ok) imported++;
    else skipped++;
  }
  return { imported, skipped };
}
