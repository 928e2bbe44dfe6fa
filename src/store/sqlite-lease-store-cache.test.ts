/**
 * The SQLite store answers reads from an in-process copy of the table: it must always say
 * what the file says, including after another connection (another bootfleet process, or
 * `sqlite3` by hand) changed it.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'libsql';
import { SqliteLeaseStore, DB_FILE, type SqliteLeaseStoreOptions } from './sqlite-lease-store.js';
import type { LeaseWriter } from './sqlite-lease-writer.js';
import { SqliteFleetStore } from './fleet-sqlite-store.js';
import type { ClaimRequest } from './lease-store.js';

const root = mkdtempSync(join(tmpdir(), 'bootfleet-store-cache-'));
after(() => rmSync(root, { recursive: true, force: true }));
const T0 = 1_800_000_000_000;

function req(i: number, over: Partial<ClaimRequest> = {}): ClaimRequest {
  return { clientId: `c${i}`, mac: `52:54:00:00:00:${i.toString(16).padStart(2, '0')}`, address: `198.18.0.${i}`, state: 'bound', expiresAt: T0 + 60_000, hostname: null, now: T0, ...over };
}

test('the copy follows every kind of write and matches a fresh read of the file', async () => {
  const dir = join(root, 'mix');
  const s = SqliteLeaseStore.openDataDir(dir);
  assert.deepEqual(await s.list(), []);
  for (const i of [30, 10, 20]) assert.ok((await s.claim(req(i))).ok);
  assert.ok((await s.claim(req(40, { state: 'offered' }))).ok);
  assert.ok((await s.claim(req(10, { state: 'bound', expiresAt: T0 + 3_600_000 }))).ok);
  assert.ok((await s.claim(req(20, { address: '198.18.0.25' }))).ok); // moves: .20 row goes
  assert.ok(await s.release('c30', '198.18.0.30', T0 + 1));
  assert.ok(await s.cancelOffer('c40', '198.18.0.40', T0 + 1));
  assert.ok(await s.decline('c10', '198.18.0.10', T0 + 600_000, T0 + 2));
  assert.ok(!(await s.claim(req(11, { address: '198.18.0.10' }))).ok, 'declined address refused');
  await s.expire(T0 + 120_000);
  const seen = await s.list();
  assert.deepEqual(seen.map((l) => l.address), ['198.18.0.10', '198.18.0.25', '198.18.0.30', '198.18.0.40']);
  const fresh = SqliteLeaseStore.openDataDir(dir);
  assert.deepEqual(await fresh.list(), seen);
  assert.deepEqual(await s.getByClient('c20'), await fresh.getByClient('c20'));
  assert.equal(await s.getByClient('c10'), null, 'a declined row belongs to nobody');
  await fresh.close();
  await s.close();
});

test('a commit by another connection is seen at the next read', async () => {
  const dir = join(root, 'two');
  const a = SqliteLeaseStore.openDataDir(dir);
  const b = SqliteLeaseStore.openDataDir(dir);
  assert.deepEqual(await a.list(), []);
  assert.ok((await b.claim(req(5))).ok);
  assert.equal((await a.getByAddress('198.18.0.5'))?.clientId, 'c5');
  assert.ok(!(await a.claim(req(6, { address: '198.18.0.5' }))).ok, 'held by b');
  const raw = new Database(join(dir, DB_FILE));
  raw.prepare("UPDATE leases SET hostname = 'by-hand' WHERE address = '198.18.0.5'").run();
  raw.close();
  assert.equal((await a.getByClient('c5'))?.hostname, 'by-hand');
  await a.close();
  await b.close();
});

test('callers cannot change the copy through what list() returns', async () => {
  const s = SqliteLeaseStore.open(':memory:');
  assert.ok((await s.claim(req(7))).ok);
  const got = await s.list();
  got.length = 0;
  assert.equal((await s.list()).length, 1, 'the array is a copy');
  const lease = (await s.list())[0]!;
  assert.throws(() => {
    (lease as { state: string }).state = 'bound';
  }, TypeError);
  assert.equal((await s.list()).length, 1);
  assert.equal((await s.getByClient('c7'))?.state, 'bound');
  await s.close();
});

/** A store whose writer counts the batches it is handed. */
function counted(dir: string, opts: SqliteLeaseStoreOptions = {}): { store: SqliteLeaseStore; batches: () => number } {
  let batches = 0;
  const store = SqliteLeaseStore.openDataDir(dir, {
    ...opts,
    wrapWriter: (w: LeaseWriter): LeaseWriter => ({
      run: (batch) => {
        batches++;
        return w.run(batch);
      },
      close: () => w.close(),
    }),
  });
  return { store, batches: () => batches };
}

test('group commit: claims made together share one batch; a bad one fails alone', async () => {
  const { store: s, batches } = counted(join(root, 'group'));
  const bad = req(9, { state: 'bogus' as 'bound' }); // violates the state CHECK constraint
  const settled = await Promise.allSettled([s.claim(req(1)), s.claim(req(2)), s.claim(bad), s.claim(req(3, { clientId: 'c1' }))]);
  // The batch failed whole on the bad claim, then each claim ran again on its own.
  assert.equal(batches(), 1);
  assert.deepEqual(
    settled.map((r) => r.status),
    ['fulfilled', 'fulfilled', 'rejected', 'fulfilled'],
  );
  // c1 claimed .1, then .3 in the same batch: it holds .3 only, as if one after the other.
  assert.deepEqual((await s.list()).map((l) => `${l.address} ${l.clientId}`), ['198.18.0.2 c2', '198.18.0.3 c1']);
  await s.claim(req(4));
  assert.equal(batches(), 2, 'an awaited claim commits on its own');
  await s.close();
  const again = SqliteLeaseStore.openDataDir(join(root, 'group'));
  assert.equal((await again.list()).length, 3, 'every resolved claim is in the file');
  await again.close();
});

test('under load, batches are at least the commit interval apart; a lone or awaited write does not wait', async () => {
  const interval = 300;
  const { store: s, batches } = counted(join(root, 'interval'), { commitIntervalMs: interval });
  // Awaited one after another: nothing is queued when a batch commits, so none waits.
  const t0 = performance.now();
  for (let i = 1; i <= 5; i++) assert.ok((await s.claim(req(i))).ok);
  assert.ok(performance.now() - t0 < interval, `5 awaited claims took ${(performance.now() - t0).toFixed(0)} ms`);
  assert.equal(batches(), 5);
  await s.close();
});

test('under load (writes queued while a batch commits), batches go at most one per commit interval', async () => {
  const interval = 200;
  let batches = 0;
  const s = SqliteLeaseStore.openDataDir(join(root, 'interval-load'), {
    commitIntervalMs: interval,
    // Each commit takes 5 ms, so writes arriving every 4 ms queue behind it (fewer than the 128 that go at once).
    wrapWriter: (w: LeaseWriter): LeaseWriter => ({
      run: async (batch) => {
        batches++;
        const result = await w.run(batch);
        await new Promise((r) => setTimeout(r, 5));
        return result;
      },
      close: () => w.close(),
    }),
  });
  const claims: Promise<unknown>[] = [];
  const t0 = performance.now();
  for (let i = 0; performance.now() - t0 < 1000; i++) {
    claims.push(s.claim(req(10 + (i % 200), { address: `198.18.${1 + (i % 200)}.${1 + Math.floor(i / 200)}` })));
    await new Promise((r) => setTimeout(r, 4));
  }
  await Promise.all(claims);
  // Without the interval a batch would leave as each 5 ms commit ends, one or two writes each.
  assert.ok(batches <= 1000 / interval + 3, `${batches} batches for a 1 s stream of ${claims.length} claims`);
  await s.close();
});

test('128 queued writes leave at once, interval or not', async () => {
  const { store: s, batches } = counted(join(root, 'interval-full'), { commitIntervalMs: 60_000 });
  await s.claim(req(1));
  const second = s.claim(req(2)); // leaves in this check phase…
  await new Promise((r) => setImmediate(r));
  const queued = s.claim(req(3)); // …so this one queues behind it, and then waits out the interval
  await second;
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(batches(), 2, 'the queued write waits for the interval');
  const t0 = performance.now();
  const more = Array.from({ length: 127 }, (_, i) => s.claim(req(10 + i, { address: `198.18.1.${1 + i}` })));
  await Promise.all([queued, ...more]);
  assert.ok(performance.now() - t0 < 10_000);
  assert.equal(batches(), 3);
  await s.close();
});

test('the copy survives commits to other tables of the file (the fleet store), not changes to leases', async () => {
  const dir = join(root, 'fleet-beside');
  const leases = SqliteLeaseStore.openDataDir(dir);
  const fleet = SqliteFleetStore.openDataDir(dir);
  assert.ok((await leases.claim(req(5))).ok);
  const before = await leases.view();
  await fleet.recordSightings([{ mac: '52:54:00:00:00:05', at: T0 }]);
  assert.equal(await leases.view(), before, 'a fleet commit leaves the copy as it is (no reload)');
  const raw = new Database(join(dir, DB_FILE));
  raw.prepare("UPDATE leases SET hostname = 'by-hand' WHERE address = '198.18.0.5'").run();
  raw.close();
  assert.notEqual(await leases.view(), before, 'a lease changed elsewhere: reloaded');
  assert.equal((await leases.getByClient('c5'))?.hostname, 'by-hand');
  // Another connection wrote leases, then this one writes: the copy must not miss the first.
  const other = SqliteLeaseStore.openDataDir(dir);
  await leases.view();
  assert.ok((await other.claim(req(6))).ok);
  assert.ok((await leases.claim(req(7))).ok);
  assert.deepEqual((await leases.list()).map((l) => l.address), ['198.18.0.5', '198.18.0.6', '198.18.0.7']);
  await Promise.all([leases.close(), fleet.close(), other.close()]);
});

for (const inlineWrites of [false, true]) {
  test(`claims from separate callbacks of one loop phase share a commit (${inlineWrites ? 'inline' : 'writer thread'})`, async () => {
    const { store: s, batches } = counted(join(root, `turn-${inlineWrites}`), { inlineWrites });
    // As datagrams arrive: each in its own callback of one loop phase, microtasks run between them.
    const claims: Promise<unknown>[] = [];
    await new Promise<void>((resolve) => {
      setImmediate(() => claims.push(s.claim(req(1, { state: 'offered' }))));
      setImmediate(() => claims.push(s.claim(req(2, { state: 'offered' }))));
      setImmediate(() => {
        claims.push(s.claim(req(3, { state: 'offered' })));
        resolve();
      });
    });
    await Promise.all(claims);
    await s.settled();
    assert.equal(batches(), 1, 'one commit for the three');
    if (inlineWrites) {
      // The writes ran on the store's own connection: its safety level is FULL again.
      const db = (s as unknown as { db: InstanceType<typeof Database> }).db;
      assert.equal(synchronous(db), 2, 'FULL again after an offers-only commit');
      assert.ok((await s.claim(req(1, { state: 'bound', expiresAt: T0 + 3_600_000 }))).ok);
      assert.equal(synchronous(db), 2);
    }
    await s.close();
  });
}

test('writes made while a batch is with the writer go together in the next one, in order', async () => {
  const { store: s, batches } = counted(join(root, 'next'));
  const first = s.claim(req(1));
  await new Promise((r) => setImmediate(r)); // the first batch has left
  const later = [s.claim(req(2)), s.release('c1', '198.18.0.1', T0 + 1), s.claim(req(3, { address: '198.18.0.1' }))];
  const results = await Promise.all([first, ...later]);
  assert.equal(batches(), 2);
  assert.equal(results[2], true, 'the release saw the first claim');
  assert.equal((results[3] as { ok: boolean }).ok, true, 'and the claim after it saw the release');
  await s.close();
});

function synchronous(db: InstanceType<typeof Database>): unknown {
  return (db.prepare('PRAGMA synchronous').get() as { synchronous?: unknown } | undefined)?.synchronous;
}
