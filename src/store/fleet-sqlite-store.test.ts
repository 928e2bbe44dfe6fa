import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'libsql';
import { runFleetStoreContract } from './fleet-store.contract.js';
import { SqliteFleetStore } from './fleet-sqlite-store.js';
import { DB_FILE, SqliteLeaseStore } from './sqlite-lease-store.js';
import type { FleetStore } from './fleet-store.js';

const root = mkdtempSync(join(tmpdir(), 'bootfleet-fleet-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const dirOf = new Map<FleetStore, string>();

runFleetStoreContract('sqlite', {
  async create() {
    const dir = join(root, `db${n++}`);
    const s = SqliteFleetStore.openDataDir(dir);
    dirOf.set(s, dir);
    return s;
  },
  async reopen(store) {
    const dir = dirOf.get(store);
    assert.ok(dir);
    await store.close();
    const s = SqliteFleetStore.openDataDir(dir);
    dirOf.set(s, dir);
    return s;
  },
});

test('fleet and leases share bootfleet.db, each with its own schema version', async () => {
  const dir = join(root, 'shared');
  const leases = SqliteLeaseStore.openDataDir(dir);
  const fleet = SqliteFleetStore.openDataDir(dir);
  await fleet.recordSightings([{ mac: '52:54:00:00:00:01', at: 1 }]);
  const claimed = await leases.claim({ clientId: 'c1', mac: '52:54:00:00:00:01', address: '198.18.0.10', state: 'bound', expiresAt: 10, hostname: null, now: 1 });
  assert.ok(claimed.ok);
  assert.equal(leases.schemaVersion(), 1);
  assert.equal(fleet.schemaVersion(), 2);
  await Promise.all([leases.close(), fleet.close()]);
  // Reopened in the other order, both still read their own rows.
  const fleet2 = SqliteFleetStore.openDataDir(dir);
  const leases2 = SqliteLeaseStore.openDataDir(dir);
  assert.equal((await fleet2.listMachines()).length, 1);
  assert.equal((await leases2.list()).length, 1);
  await Promise.all([leases2.close(), fleet2.close()]);
  const raw = new Database(join(dir, DB_FILE));
  assert.deepEqual(raw.prepare('SELECT version FROM fleet_schema_version').all(), [{ version: 1 }, { version: 2 }]);
  assert.deepEqual(raw.prepare('SELECT version FROM schema_version').all(), [{ version: 1 }]);
  raw.close();
});

test('refuses fleet tables from a newer bootfleet', async () => {
  const dir = join(root, 'newer');
  await SqliteFleetStore.openDataDir(dir).close();
  const raw = new Database(join(dir, DB_FILE));
  raw.prepare('INSERT INTO fleet_schema_version (version, applied_at) VALUES (99, 0)').run();
  raw.close();
  assert.throws(() => SqliteFleetStore.openDataDir(dir), /fleet schema version 99 .* is newer/);
});

test('read-only opening: never creates a file, never writes', async () => {
  const missing = SqliteFleetStore.openExistingReadOnly(join(root, 'absent', DB_FILE));
  assert.equal(missing.store, null);
  const dir = join(root, 'ro');
  const lease = SqliteLeaseStore.openDataDir(dir);
  const noFleet = SqliteFleetStore.openExistingReadOnly(join(dir, DB_FILE));
  assert.equal(noFleet.store, null, 'a lease-only file has no fleet tables to read');
  await lease.close();
  const w = SqliteFleetStore.openDataDir(dir);
  await w.recordSightings([{ mac: '52:54:00:00:00:01', at: 1 }]);
  await w.close();
  const r = SqliteFleetStore.openExistingReadOnly(join(dir, DB_FILE));
  assert.ok(r.store);
  assert.equal((await r.store.listMachines()).length, 1);
  await assert.rejects(r.store.recordSightings([{ mac: '52:54:00:00:00:02', at: 2 }]), /readonly|read-only|query_only|attempt to write/i);
  await r.store.close();
});

test('a profile written by fleet schema version 1 reads as a linux profile after the upgrade', async () => {
  const dir = join(root, 'v1');
  const file = join(dir, DB_FILE);
  await SqliteFleetStore.openDataDir(dir).close();
  // Undo version 2 by hand, then write a row the way version 1 did.
  const raw = new Database(file);
  raw.exec("DROP TABLE fleet_install_tokens; ALTER TABLE fleet_profiles DROP COLUMN spec; DELETE FROM fleet_schema_version WHERE version = 2");
  raw.prepare("INSERT INTO fleet_profiles (name, kernel, initrd, cmdline, source, updated_at) VALUES ('old', 'vmlinuz', '[\"initrd.img\"]', 'quiet', 'api', 5)").run();
  raw.close();
  const s = SqliteFleetStore.openDataDir(dir);
  assert.equal(s.schemaVersion(), 2);
  assert.deepEqual(await s.getProfile('old'), { name: 'old', kernel: 'vmlinuz', initrd: ['initrd.img'], cmdline: 'quiet', source: 'api', updatedAt: 5 });
  await s.close();
});

test('sightings commit without their own fsync and leave the connection at synchronous=FULL', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bootfleet-fleet-sync-'));
  const fleet = SqliteFleetStore.openDataDir(dir);
  try {
    await fleet.recordSightings([{ mac: '52:54:00:00:00:09', at: 1 }]);
    const db = fleet['db'];
    // 2 = FULL: the next API write (a promise to an operator) is durable again.
    assert.equal((db.prepare('PRAGMA synchronous').get() as { synchronous: number }).synchronous, 2);
    assert.equal((await fleet.getMachine('52:54:00:00:00:09'))?.lastSeen, 1);
  } finally {
    await fleet.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sightings merged by SQL give the rows applySighting/discoveredMachine would, for any order of any facts', async () => {
  const { applySighting, discoveredMachine } = await import('../fleet/machine.js');
  const fc = (await import('fast-check')).default;
  const macs = ['52:54:00:00:aa:01', '52:54:00:00:aa:02', '52:54:00:00:aa:03'];
  const sighting = fc.record(
    {
      mac: fc.constantFrom(...macs),
      at: fc.integer({ min: 1_000, max: 1_100 }),
      ip: fc.option(fc.constantFrom('198.18.0.10', '198.18.0.11'), { nil: undefined }),
      uuid: fc.option(fc.constantFrom('0f0e0d0c-0b0a-0908-0706-050403020100', 'aaaaaaaa-0b0a-0908-0706-050403020100'), { nil: undefined }),
      arch: fc.option(fc.constantFrom(0, 7, 16), { nil: undefined }),
      firmware: fc.option(fc.constantFrom('bios-pxe' as const, 'uefi-pxe' as const, 'ipxe' as const), { nil: undefined }),
      hostname: fc.option(fc.constantFrom('box', 'other'), { nil: undefined }),
    },
    { requiredKeys: ['mac', 'at'] },
  );
  let run = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(fc.array(sighting, { maxLength: 4 }), { maxLength: 6 }), async (batches) => {
      const store = SqliteFleetStore.openDataDir(join(root, `merge${run++}`));
      try {
        const model = new Map<string, import('../fleet/machine.js').Machine>();
        for (const batch of batches) {
          const expectDiscovered: string[] = [];
          for (const s of batch) {
            const had = model.get(s.mac);
            if (had) model.set(s.mac, applySighting(had, s));
            else {
              model.set(s.mac, discoveredMachine(s));
              expectDiscovered.push(s.mac);
            }
          }
          assert.deepEqual((await store.recordSightings(batch)).discovered, expectDiscovered);
        }
        for (const mac of macs) assert.deepEqual(await store.getMachine(mac), model.get(mac) ?? null, mac);
      } finally {
        await store.close();
      }
    }),
    { numRuns: 60 },
  );
});
