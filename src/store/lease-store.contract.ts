/**
 * The behaviour every LeaseStore must have, as one test suite run against each
 * implementation (SQLite now, PostgreSQL later): `runLeaseStoreContract('sqlite', …)`.
 */
import { describe, test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { zeroLeaseCounts, type ClaimRequest, type LeaseStore } from './lease-store.js';

export interface LeaseStoreFactory {
  /** A fresh, empty store. */
  create(): Promise<LeaseStore>;
  /**
   * Closes `store` and opens the same storage again (a server restart). Omit for a store
   * that has no durable storage of its own.
   */
  reopen?(store: LeaseStore): Promise<LeaseStore>;
}

const T0 = 1_800_000_000_000;
const A = 'aa01';
const B = 'bb02';

function req(over: Partial<ClaimRequest> = {}): ClaimRequest {
  return {
    clientId: A,
    mac: '52:54:00:00:00:01',
    address: '198.18.0.10',
    state: 'offered',
    expiresAt: T0 + 30_000,
    hostname: null,
    now: T0,
    ...over,
  };
}

export function runLeaseStoreContract(name: string, factory: LeaseStoreFactory): void {
  describe(`LeaseStore contract: ${name}`, () => {
    let store: LeaseStore;
    const open: LeaseStore[] = [];
    async function fresh(): Promise<LeaseStore> {
      store = await factory.create();
      open.push(store);
      return store;
    }
    afterEach(async () => {
      for (const s of open.splice(0)) await s.close();
    });

    test('an empty store knows nothing', async () => {
      const s = await fresh();
      assert.equal(await s.getByClient(A), null);
      assert.equal(await s.getByAddress('198.18.0.10'), null);
      assert.deepEqual(await s.list(), []);
    });

    test('offer then bind, found by client and by address', async () => {
      const s = await fresh();
      const offered = await s.claim(req());
      assert.ok(offered.ok);
      assert.equal(offered.lease.state, 'offered');
      const bound = await s.claim(req({ state: 'bound', expiresAt: T0 + 3_600_000, hostname: 'web1', now: T0 + 1000 }));
      assert.ok(bound.ok);
      const byClient = await s.getByClient(A);
      assert.deepEqual(byClient, {
        address: '198.18.0.10',
        clientId: A,
        mac: '52:54:00:00:00:01',
        state: 'bound',
        expiresAt: T0 + 3_600_000,
        hostname: 'web1',
        updatedAt: T0 + 1000,
      });
      assert.deepEqual(await s.getByAddress('198.18.0.10'), byClient);
    });

    test('another client cannot claim a held address, but can once it expired', async () => {
      const s = await fresh();
      assert.ok((await s.claim(req())).ok);
      const clash = await s.claim(req({ clientId: B, mac: '52:54:00:00:00:02' }));
      assert.equal(clash.ok, false);
      assert.ok(!clash.ok && clash.reason === 'held' && clash.holder.clientId === A);
      const later = await s.claim(req({ clientId: B, mac: '52:54:00:00:00:02', now: T0 + 30_000, expiresAt: T0 + 60_000 }));
      assert.ok(later.ok);
      assert.equal((await s.getByAddress('198.18.0.10'))?.clientId, B);
      assert.equal(await s.getByClient(A), null);
    });

    test('a client holds one address: claiming another drops the old row', async () => {
      const s = await fresh();
      await s.claim(req({ state: 'bound', expiresAt: T0 + 3_600_000 }));
      assert.ok((await s.claim(req({ address: '198.18.0.11' }))).ok);
      assert.equal(await s.getByAddress('198.18.0.10'), null);
      assert.equal((await s.getByClient(A))?.address, '198.18.0.11');
    });

    test('a DISCOVER never shortens a bound lease', async () => {
      const s = await fresh();
      await s.claim(req({ state: 'bound', expiresAt: T0 + 3_600_000 }));
      const again = await s.claim(req({ state: 'offered', expiresAt: T0 + 40_000, now: T0 + 10_000 }));
      assert.ok(again.ok);
      assert.equal(again.lease.state, 'bound');
      assert.equal(again.lease.expiresAt, T0 + 3_600_000);
      assert.equal((await s.getByClient(A))?.state, 'bound');
    });

    test('release frees the address but remembers the client', async () => {
      const s = await fresh();
      await s.claim(req({ state: 'bound', expiresAt: T0 + 3_600_000 }));
      assert.equal(await s.release(B, '198.18.0.10', T0 + 5), false, 'only the holder may release');
      assert.equal(await s.release(A, '198.18.0.11', T0 + 5), false);
      assert.equal(await s.release(A, '198.18.0.10', T0 + 5), true);
      const row = await s.getByClient(A);
      assert.equal(row?.state, 'released');
      assert.ok((await s.claim(req({ clientId: B, now: T0 + 6 }))).ok, 'free for others');
    });

    test('cancelOffer drops an offer hold but not a bound lease', async () => {
      const s = await fresh();
      await s.claim(req());
      assert.equal(await s.cancelOffer(A, '198.18.0.10', T0 + 1), true);
      assert.equal((await s.getByClient(A))?.state, 'released');
      await s.claim(req({ state: 'bound', expiresAt: T0 + 3_600_000, now: T0 + 2 }));
      assert.equal(await s.cancelOffer(A, '198.18.0.10', T0 + 3), false);
      assert.equal((await s.getByClient(A))?.state, 'bound');
    });

    test('decline keeps the address from everyone until the backoff ends', async () => {
      const s = await fresh();
      await s.claim(req({ state: 'bound', expiresAt: T0 + 3_600_000 }));
      assert.equal(await s.decline(B, '198.18.0.10', T0 + 600_000, T0 + 1), false, 'only the holder may decline');
      assert.equal(await s.decline(A, '198.18.0.10', T0 + 600_000, T0 + 1), true);
      assert.equal(await s.getByClient(A), null);
      const row = await s.getByAddress('198.18.0.10');
      assert.equal(row?.state, 'declined');
      assert.equal(row?.clientId, null);
      for (const clientId of [A, B]) {
        const r = await s.claim(req({ clientId, now: T0 + 2 }));
        assert.ok(!r.ok && r.reason === 'declined');
      }
      assert.ok((await s.claim(req({ clientId: B, now: T0 + 600_000 }))).ok);
    });

    test('markConflict keeps a free, released or offered address from everyone, but never takes a bound lease', async () => {
      const s = await fresh();
      const squatter = '52:54:00:99:99:99';
      // No row yet: one is made.
      assert.equal(await s.markConflict('198.18.0.20', squatter, T0 + 600_000, T0), true);
      assert.deepEqual(await s.getByAddress('198.18.0.20'), {
        address: '198.18.0.20',
        clientId: null,
        mac: squatter,
        state: 'declined',
        expiresAt: T0 + 600_000,
        hostname: null,
        updatedAt: T0,
      });
      const r = await s.claim(req({ address: '198.18.0.20', now: T0 + 1 }));
      assert.ok(!r.ok && r.reason === 'declined');
      // An offer is withdrawn: the client's row is gone, so its REQUEST finds the address declined.
      assert.ok((await s.claim(req({ address: '198.18.0.10' }))).ok);
      assert.equal(await s.markConflict('198.18.0.10', squatter, T0 + 600_000, T0 + 1), true);
      assert.equal(await s.getByClient(A), null);
      assert.equal((await s.getByAddress('198.18.0.10'))?.state, 'declined');
      // The view the pool chooses from sees both marks at once (SQLite answers it from memory).
      const view = await s.view();
      assert.equal(view.getByClient(A), null);
      assert.equal(view.get('198.18.0.20')?.state, 'declined');
      const n = (ip: string): number => ip.split('.').reduce((acc, x) => acc * 256 + Number(x), 0);
      assert.equal(view.lowestFree(n('198.18.0.20'), n('198.18.0.21'), A, T0 + 2, () => false), n('198.18.0.21'), 'a marked address is not free');
      // A released row (remembering its last client) is marked too.
      assert.ok((await s.claim(req({ clientId: B, address: '198.18.0.11', state: 'bound', expiresAt: T0 + 3_600_000 }))).ok);
      assert.equal(await s.release(B, '198.18.0.11', T0 + 2), true);
      assert.equal(await s.markConflict('198.18.0.11', squatter, T0 + 600_000, T0 + 3), true);
      assert.equal((await s.getByAddress('198.18.0.11'))?.state, 'declined');
      // A bound lease stays its client's.
      assert.ok((await s.claim(req({ clientId: 'cc', address: '198.18.0.12', state: 'bound', expiresAt: T0 + 3_600_000 }))).ok);
      assert.equal(await s.markConflict('198.18.0.12', squatter, T0 + 600_000, T0 + 4), false);
      const kept = await s.getByAddress('198.18.0.12');
      assert.equal(kept?.state, 'bound');
      assert.equal(kept?.clientId, 'cc');
      // …until it has expired.
      assert.equal(await s.markConflict('198.18.0.12', squatter, T0 + 7_200_000, T0 + 3_600_001), true);
      // The backoff ends like a decline's: the sweep forgets the row.
      const gone = await s.expire(T0 + 7_200_000);
      assert.ok(gone.some((l) => l.address === '198.18.0.20' && l.state === 'declined'));
      assert.equal(await s.getByAddress('198.18.0.20'), null);
    });

    test('expire ends offers and leases and forgets declines', async () => {
      const s = await fresh();
      await s.claim(req({ address: '198.18.0.10', clientId: A, expiresAt: T0 + 100 }));
      await s.claim(req({ address: '198.18.0.2', clientId: B, state: 'bound', expiresAt: T0 + 200 }));
      await s.claim(req({ address: '198.18.0.30', clientId: 'cc', state: 'bound', expiresAt: T0 + 3_600_000 }));
      await s.claim(req({ address: '198.18.0.40', clientId: 'dd', state: 'bound', expiresAt: T0 + 3_600_000 }));
      await s.decline('dd', '198.18.0.40', T0 + 150, T0);
      assert.deepEqual(await s.expire(T0 + 50), []);
      const gone = await s.expire(T0 + 200);
      assert.deepEqual(
        gone.map((l) => [l.address, l.state]),
        [
          ['198.18.0.2', 'bound'],
          ['198.18.0.10', 'offered'],
          ['198.18.0.40', 'declined'],
        ],
      );
      assert.deepEqual(
        (await s.list()).map((l) => [l.address, l.state, l.clientId]),
        [
          ['198.18.0.2', 'expired', B],
          ['198.18.0.10', 'expired', A],
          ['198.18.0.30', 'bound', 'cc'],
        ],
        'list is ordered numerically by address',
      );
      assert.deepEqual(await s.expire(T0 + 300), []);
    });

    test('countByState counts rows by state, a held row past its time as expired', async () => {
      const s = await fresh();
      assert.deepEqual(await s.countByState(T0), zeroLeaseCounts(), 'an empty store: every state at 0');
      await s.claim(req({ state: 'bound', expiresAt: T0 + 3_600_000 }));
      await s.claim(req({ clientId: B, mac: '52:54:00:00:00:02', address: '198.18.0.11', expiresAt: T0 + 30_000 }));
      await s.claim(req({ clientId: 'cc03', mac: '52:54:00:00:00:03', address: '198.18.0.12', state: 'bound', expiresAt: T0 + 60_000 }));
      await s.release('cc03', '198.18.0.12', T0 + 1);
      await s.claim(req({ clientId: 'dd04', mac: '52:54:00:00:00:04', address: '198.18.0.13', expiresAt: T0 + 30_000 }));
      await s.decline('dd04', '198.18.0.13', T0 + 600_000, T0 + 1);
      assert.deepEqual(await s.countByState(T0 + 2), { offered: 1, bound: 1, released: 1, expired: 0, declined: 1 });
      // Past the offer's hold, not yet swept: counted as expired, as the pool treats it.
      assert.deepEqual(await s.countByState(T0 + 40_000), { offered: 0, bound: 1, released: 1, expired: 1, declined: 1 });
      await s.expire(T0 + 40_000);
      assert.deepEqual(await s.countByState(T0 + 40_000), { offered: 0, bound: 1, released: 1, expired: 1, declined: 1 }, 'the sweep changes no count');
      const rows = await s.list();
      const total = Object.values(await s.countByState(T0 + 4_000_000)).reduce((a, n) => a + n, 0);
      assert.equal(total, rows.length, 'every row counted once');
    });

    test('concurrent claims for one address: exactly one wins', async () => {
      const s = await fresh();
      const ids = Array.from({ length: 20 }, (_, i) => `c${i}`);
      const results = await Promise.all(ids.map((clientId) => s.claim(req({ clientId }))));
      assert.equal(results.filter((r) => r.ok).length, 1);
    });

    if (factory.reopen) {
      const reopen = factory.reopen.bind(factory);
      test('leases survive a restart', async () => {
        const s = await fresh();
        await s.claim(req({ state: 'bound', expiresAt: T0 + 3_600_000, hostname: 'web1' }));
        await s.claim(req({ clientId: B, address: '198.18.0.11' }));
        await s.decline(B, '198.18.0.11', T0 + 600_000, T0);
        const before = await s.list();
        open.splice(open.indexOf(s), 1);
        const again = await reopen(s);
        open.push(again);
        assert.deepEqual(await again.list(), before);
        const clash = await again.claim(req({ clientId: B, now: T0 + 1 }));
        assert.ok(!clash.ok && clash.reason === 'held');
      });
    }
  });
}
