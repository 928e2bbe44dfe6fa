/**
 * A batch writes deletes first, then every put of the batch in one multi-row INSERT
 * (`sqlite-lease-batch.ts`). That is the writes' own order only because the store drops a
 * queued put when a later write touches its address. Random mixes of writes made together
 * (one batch) must leave in the file exactly what the store's copy shows.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { SqliteLeaseStore } from './sqlite-lease-store.js';

const root = mkdtempSync(join(tmpdir(), 'bootfleet-batch-prop-'));
after(() => rmSync(root, { recursive: true, force: true }));
const T0 = 1_800_000_000_000;

type Op =
  | { kind: 'claim'; client: number; address: number; state: 'offered' | 'bound'; ttl: number }
  | { kind: 'release' | 'cancel' | 'decline'; client: number; address: number }
  | { kind: 'conflict'; address: number }
  | { kind: 'expire'; at: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('claim' as const), client: fc.nat(5), address: fc.nat(5), state: fc.constantFrom('offered' as const, 'bound' as const), ttl: fc.constantFrom(5, 60_000) }),
  fc.record({ kind: fc.constantFrom('release' as const, 'cancel' as const, 'decline' as const), client: fc.nat(5), address: fc.nat(5) }),
  fc.record({ kind: fc.constant('conflict' as const), address: fc.nat(5) }),
  fc.record({ kind: fc.constant('expire' as const), at: fc.constantFrom(0, 10, 100_000) }),
);

function run(s: SqliteLeaseStore, o: Op, now: number): Promise<unknown> {
  const address = (n: number): string => `198.18.0.${n + 1}`;
  switch (o.kind) {
    case 'claim':
      return s.claim({ clientId: `c${o.client}`, mac: `52:54:00:00:00:0${o.client}`, address: address(o.address), state: o.state, expiresAt: now + o.ttl, hostname: null, now });
    case 'release':
      return s.release(`c${o.client}`, address(o.address), now);
    case 'cancel':
      return s.cancelOffer(`c${o.client}`, address(o.address), now);
    case 'decline':
      return s.decline(`c${o.client}`, address(o.address), now + 20, now);
    case 'conflict':
      return s.markConflict(address(o.address), '52:54:00:ff:ff:ff', now + 20, now);
    case 'expire':
      return s.expire(now + o.at);
  }
}

let n = 0;
test('writes made together (one batch) leave in the file what the copy shows', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(op, { maxLength: 12 }), fc.array(op, { minLength: 1, maxLength: 30 }), async (before, together) => {
      const dir = join(root, `p${n++}`);
      const s = SqliteLeaseStore.openDataDir(dir, { inlineWrites: true });
      // Some rows first, each committed on its own…
      for (const o of before) await run(s, o, T0).catch(() => undefined);
      // …then many writes in one loop turn: one batch.
      await Promise.allSettled(together.map((o, i) => run(s, o, T0 + 1 + i)));
      await s.settled();
      const copy = await s.list();
      await s.close();
      const file = SqliteLeaseStore.openDataDir(dir, { inlineWrites: true });
      const stored = await file.list();
      await file.close();
      rmSync(dir, { recursive: true, force: true });
      assert.deepEqual(stored, copy);
    }),
    { numRuns: 60 },
  );
});
