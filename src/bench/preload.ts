/**
 * A lease table that is already full when a DHCP benchmark starts, written in each
 * server's own format before it starts: dnsmasq's lease file, Kea's memfile CSV, and
 * bootfleet's SQLite database through its own LeaseStore. The preloaded machines have MACs
 * perfdhcp never uses (locally administered 02:bf:…), and their addresses sit at the top
 * of the pool, so perfdhcp's clients get the rest.
 */
import { writeFileSync } from 'node:fs';
import { SqliteLeaseStore } from '../store/sqlite-lease-store.js';
import { LANE } from './lane.js';

export interface PreloadedLease {
  mac: string;
  /** Option 61 as perfdhcp and most clients send it: type 1 + MAC. */
  clientIdHex: string;
  address: string;
}

/** Seconds every preloaded lease has left: longer than any run. */
export const PRELOAD_LEASE_SECONDS = 3600;

function ip(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** `count` leases on the last `count` addresses of a pool of `poolSize`. */
export function preloadLeases(poolSize: number, count: number): PreloadedLease[] {
  const start = LANE.poolStart.split('.').reduce((n, p) => n * 256 + Number(p), 0);
  const out: PreloadedLease[] = [];
  for (let i = 0; i < count; i++) {
    const bytes = [0x02, 0xbf, 0, (i >>> 16) & 255, (i >>> 8) & 255, i & 255];
    const hex = bytes.map((b) => b.toString(16).padStart(2, '0'));
    out.push({ mac: hex.join(':'), clientIdHex: `01${hex.join('')}`, address: ip(start + poolSize - count + i) });
  }
  return out;
}

function colonHex(hex: string): string {
  return hex.match(/../g)!.join(':');
}

/** dnsmasq's lease file: `expiry mac address hostname client-id` per line. */
export function writeDnsmasqLeases(file: string, leases: readonly PreloadedLease[], nowSec: number): void {
  const expiry = nowSec + PRELOAD_LEASE_SECONDS;
  writeFileSync(file, leases.map((l) => `${expiry} ${l.mac} ${l.address} * ${colonHex(l.clientIdHex)}\n`).join(''));
}

/** Kea 2.2's memfile (CSV, lease file schema 2.2: no pool_id column). */
export function writeKeaLeases(file: string, leases: readonly PreloadedLease[], nowSec: number): void {
  const header = 'address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context\n';
  const expire = nowSec + PRELOAD_LEASE_SECONDS;
  writeFileSync(file, header + leases.map((l) => `${l.address},${l.mac},${colonHex(l.clientIdHex)},${PRELOAD_LEASE_SECONDS},${expire},1,0,0,,0,\n`).join(''));
}

/** bootfleet: bound leases claimed through its own store (all in one group commit). */
export async function preloadBootfleet(dataDir: string, leases: readonly PreloadedLease[], nowMs: number): Promise<void> {
  const store = SqliteLeaseStore.openDataDir(dataDir);
  try {
    const results = await Promise.all(
      leases.map((l) =>
        store.claim({ clientId: l.clientIdHex, mac: l.mac, address: l.address, state: 'bound', expiresAt: nowMs + PRELOAD_LEASE_SECONDS * 1000, hostname: null, now: nowMs }),
      ),
    );
    const refused = results.filter((r) => !r.ok).length;
    if (refused > 0) throw new Error(`preload: ${refused} of ${leases.length} claims refused`);
  } finally {
    await store.close();
  }
}
