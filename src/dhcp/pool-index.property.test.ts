/**
 * The free-address index (`store/lease-index.ts`) behind `chooseAddress` picks exactly what
 * the old scan picked — the lowest pool address no other client holds, skipping reserved and
 * excluded ones — on random lease tables, clocks, pools and reservations; also after the
 * index was built by a random sequence of writes rather than all at once (the SQLite store's
 * mirror), and with the clock moving back and forth.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { chooseAddress, judgeAddress, subnetsOf, type PoolQuery } from './pool.js';
import { LeaseIndex } from '../store/lease-index.js';
import { isHeld, type Lease, type LeaseState } from '../store/lease-store.js';
import { ipToNumber, numberToIp } from './ipv4-math.js';
import { configSchema } from '../config/schema.js';

const STATES: LeaseState[] = ['offered', 'bound', 'released', 'expired', 'declined'];
const BASE = ipToNumber('198.18.40.0');
const ip = (host: number): string => numberToIp(BASE + host);

/** The allocator as it was before the index: a set of taken numbers, then a scan. */
function oldLowestFree(q: PoolQuery & { leases: readonly Lease[] }, ranges: [number, number][]): string | null {
  const taken = new Set<number>();
  for (const l of q.leases) if (l.clientId !== q.clientId && isHeld(l, q.now)) taken.add(ipToNumber(l.address));
  for (const r of q.reservations) taken.add(ipToNumber(r.address));
  for (const x of q.exclude) taken.add(ipToNumber(x));
  for (const [start, end] of ranges) for (let n = start; n <= end; n++) if (!taken.has(n)) return numberToIp(n);
  return null;
}

const leaseArb = fc.record({
  host: fc.integer({ min: 0, max: 63 }),
  client: fc.option(fc.integer({ min: 0, max: 30 }), { nil: null }),
  state: fc.constantFrom(...STATES),
  expires: fc.integer({ min: 0, max: 20 }),
});

const scenarioArb = fc.record({
  rows: fc.array(leaseArb, { maxLength: 60 }),
  me: fc.integer({ min: 0, max: 30 }),
  now: fc.integer({ min: 0, max: 20 }),
  pools: fc.array(fc.tuple(fc.integer({ min: 0, max: 63 }), fc.integer({ min: 0, max: 20 })), { minLength: 1, maxLength: 3 }),
  reserved: fc.array(fc.integer({ min: 1, max: 62 }), { maxLength: 4 }),
  excluded: fc.array(fc.integer({ min: 1, max: 62 }), { maxLength: 3 }),
  previous: fc.option(fc.integer({ min: 0, max: 63 }), { nil: null }),
  requested: fc.option(fc.integer({ min: 0, max: 63 }), { nil: null }),
});

type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

/** One row per address and per client, as the stores keep them. */
function table(s: Scenario): Lease[] {
  const byAddress = new Map<string, Lease>();
  const clients = new Set<string>();
  for (const r of s.rows) {
    const clientId = r.state === 'declined' || r.client === null ? null : `c${r.client}`;
    if (byAddress.has(ip(r.host)) || (clientId !== null && clients.has(clientId))) continue;
    if (clientId !== null) clients.add(clientId);
    byAddress.set(ip(r.host), { address: ip(r.host), clientId, mac: null, state: r.state, expiresAt: r.expires, hostname: null, updatedAt: 0 });
  }
  return [...byAddress.values()];
}

const TEMPLATE = subnetsOf(configSchema.parse({ dataDir: '/nonexistent', interfaces: [{ name: 'eth0' }], dhcp: { subnets: [{ subnet: '198.18.40.0/26', pools: [{ start: '198.18.40.1', end: '198.18.40.62' }] }] } }).dhcp.subnets)[0]!;

function query(s: Scenario, leases: PoolQuery['leases']): PoolQuery {
  const pools = s.pools.map(([start, len]) => ({ start: ip(start), end: ip(Math.min(63, start + len)) }));
  // Parsed once with a valid pool, then given the random ones (the schema checks pools too).
  const subnet = { ...TEMPLATE, config: { ...TEMPLATE.config, pools } };
  return {
    subnet,
    clientId: `c${s.me}`,
    mac: '52:54:00:00:00:01',
    reservations: s.reserved.map((h, i) => ({ mac: `52:54:00:00:01:${i.toString(16).padStart(2, '0')}`, address: ip(h) })),
    leases,
    now: s.now,
    exclude: s.excluded.map(ip),
  };
}

function ranges(s: Scenario): [number, number][] {
  // Host addresses of the /26: the network (0) and broadcast (63) are never handed out.
  return s.pools
    .map(([start, len]): [number, number] => [BASE + Math.max(1, start), BASE + Math.min(62, start + len)])
    .filter(([a, b]) => a <= b)
    .sort((a, b) => a[0] - b[0]);
}

test('the index picks the lowest free address the old scan picked', () => {
  fc.assert(
    fc.property(scenarioArb, (s) => {
      const rows = table(s);
      const viaIndex = chooseAddress(query(s, LeaseIndex.of(rows)), null, null);
      const old = oldLowestFree({ ...query(s, rows), leases: rows }, ranges(s));
      assert.equal(viaIndex?.address ?? null, old);
    }),
    { numRuns: 500 },
  );
});

test('with previous and requested addresses, the index and a snapshot array choose alike, and judge alike', () => {
  fc.assert(
    fc.property(scenarioArb, (s) => {
      const rows = table(s);
      const prev = s.previous === null ? null : ip(s.previous);
      const req = s.requested === null ? null : ip(s.requested);
      assert.deepEqual(chooseAddress(query(s, LeaseIndex.of(rows)), prev, req), chooseAddress(query(s, rows.slice()), prev, req));
      for (let h = 0; h < 64; h += 7) assert.equal(judgeAddress(query(s, LeaseIndex.of(rows)), ip(h)), judgeAddress(query(s, rows.slice()), ip(h)));
    }),
    { numRuns: 300 },
  );
});

test('an index kept up by writes (and a clock that moves both ways) answers like a fresh one', () => {
  // A small address space, so that asks often land on the rows the writes and the clock moved.
  const host = fc.integer({ min: 0, max: 11 });
  const op = fc.oneof(
    fc.record({ kind: fc.constant('put' as const), row: fc.record({ host, client: fc.option(fc.integer({ min: 0, max: 6 }), { nil: null }), state: fc.constantFrom(...STATES), expires: fc.integer({ min: 0, max: 20 }) }) }),
    fc.record({ kind: fc.constant('delete' as const), host }),
    fc.record({ kind: fc.constant('ask' as const), now: fc.integer({ min: 0, max: 20 }), me: fc.integer({ min: 0, max: 6 }), lo: host }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
      const live = new LeaseIndex();
      for (const o of ops) {
        if (o.kind === 'put') {
          const clientId = o.row.state === 'declined' || o.row.client === null ? null : `c${o.row.client}`;
          // One row per client, as a claim does.
          if (clientId !== null) live.dropClient(clientId, ip(o.row.host));
          live.put({ address: ip(o.row.host), clientId, mac: null, state: o.row.state, expiresAt: o.row.expires, hostname: null, updatedAt: 0 });
        } else if (o.kind === 'delete') {
          live.delete(ip(o.host));
        } else {
          const fresh = LeaseIndex.of(live.list());
          const skip = (n: number): boolean => n % 5 === 0;
          assert.equal(live.lowestFree(BASE + o.lo, BASE + 11, `c${o.me}`, o.now, skip), fresh.lowestFree(BASE + o.lo, BASE + 11, `c${o.me}`, o.now, skip));
        }
      }
    }),
    { numRuns: 300 },
  );
});

test('a row the clock passed holds its address again when the clock goes back', () => {
  const live = new LeaseIndex();
  live.put({ address: ip(1), clientId: 'c0', mac: null, state: 'bound', expiresAt: 10, hostname: null, updatedAt: 0 });
  const free = (now: number): number | null => live.lowestFree(BASE + 1, BASE + 11, 'c1', now, () => false);
  assert.equal(free(15), BASE + 1, 'expired at 15: free');
  assert.equal(free(5), BASE + 2, 'at 5 the lease still runs');
  assert.equal(free(10), BASE + 1, 'expiresAt is the first instant it is free');
});
