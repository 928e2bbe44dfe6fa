/**
 * The SQLite lease store's writes run on a writer thread: a bound claim (what a DHCPACK waits
 * for) resolves only once the writer reports its commit, an offer hold at once, and a
 * writer that dies fails what it was given instead of leaving it hanging.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteLeaseStore } from './sqlite-lease-store.js';
import type { LeaseWriter } from './sqlite-lease-writer.js';
import type { ClaimRequest } from './lease-store.js';

const root = mkdtempSync(join(tmpdir(), 'bootfleet-store-durable-'));
after(() => rmSync(root, { recursive: true, force: true }));
const T0 = 1_800_000_000_000;

function req(i: number, over: Partial<ClaimRequest> = {}): ClaimRequest {
  return { clientId: `c${i}`, mac: `52:54:00:00:00:${i.toString(16).padStart(2, '0')}`, address: `198.18.0.${i}`, state: 'bound', expiresAt: T0 + 3_600_000, hostname: null, now: T0, ...over };
}

/** A writer whose synced batches commit but are reported only when the test says so. */
function held(): { wrap: (w: LeaseWriter) => LeaseWriter; release: () => void; committed: () => number } {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  let committed = 0;
  return {
    wrap: (w) => ({
      run: async (batch) => {
        const result = await w.run(batch);
        committed++;
        if (!batch.noSync) await gate;
        return result;
      },
      close: () => w.close(),
    }),
    release: () => open(),
    committed: () => committed,
  };
}

test('a bound claim resolves only when the writer reports it on disk; an offer hold at once', async () => {
  const dir = join(root, 'held');
  const h = held();
  const s = SqliteLeaseStore.openDataDir(dir, { wrapWriter: h.wrap });
  const offer = await s.claim(req(1, { state: 'offered', expiresAt: T0 + 60_000 }));
  assert.ok(offer.ok, 'the hold is decided and answered without a sync');
  await s.settled(); // its batch, offers alone, commits without a sync and is not held
  let resolved = false;
  const bound = s.claim(req(2)).then((r) => ((resolved = true), r));
  for (let i = 0; i < 50 && h.committed() < 2; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(h.committed(), 2, 'the lease is committed by the writer…');
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(resolved, false, '…but not answered until its report');
  assert.equal((await s.getByAddress('198.18.0.2'))?.state, 'bound', 'later decisions see it already (no one else gets .2)');
  assert.ok(!(await s.claim(req(3, { address: '198.18.0.2' }))).ok);
  h.release();
  assert.ok((await bound).ok);
  await s.close();
  const again = SqliteLeaseStore.openDataDir(dir);
  assert.deepEqual((await again.list()).map((l) => `${l.address} ${l.state}`), ['198.18.0.1 offered', '198.18.0.2 bound']);
  await again.close();
});

test('a writer that fails rejects its batch and the copy is read from the file again', async () => {
  const dir = join(root, 'fails');
  let fail = false;
  const s = SqliteLeaseStore.openDataDir(dir, {
    wrapWriter: (w) => ({ run: (batch) => (fail ? Promise.reject(new Error('disk gone')) : w.run(batch)), close: () => w.close() }),
  });
  assert.ok((await s.claim(req(1))).ok);
  fail = true;
  await assert.rejects(s.claim(req(2)), /disk gone/);
  fail = false;
  assert.equal(await s.getByAddress('198.18.0.2'), null, 'the failed lease is not shown');
  assert.equal((await s.getByAddress('198.18.0.1'))?.state, 'bound');
  await s.close();
});
