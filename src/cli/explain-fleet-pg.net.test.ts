/**
 * `bootfleet explain` against a shared PostgreSQL fleet (`store: postgres://…`): it reads the
 * groups and profiles the servers' API wrote there, not the local SQLite file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configSchema } from '../config/schema.js';
import { PgFleetStore } from '../store/pg-fleet-store.js';
import { clusterForThisFile, pgSkipReason } from '../store/pg-test-support.js';
import { explainFleet } from './explain-fleet.js';

const skip = pgSkipReason();
const testCluster = skip === null ? clusterForThisFile() : null;

test('explain reads groups and profiles from the PostgreSQL store', { skip: skip ?? false }, async () => {
  const cluster = await testCluster!();
  const url = cluster.createDatabase('explain');
  const store = await PgFleetStore.open(url);
  try {
    const now = Date.now();
    assert.equal((await store.putProfile({ name: 'rack3', kernel: 'vmlinuz', initrd: [], cmdline: 'bf.profile=rack3' }, now)).ok, true);
    const group = await store.putGroup({ name: 'row3', priority: 5, profile: 'rack3', selector: { arch: [7] } }, now);
    assert.equal(group.ok, true);
  } finally {
    await store.close();
  }
  const config = configSchema.parse({ interfaces: [{ name: 'bf0' }], store: url, dataDir: '/nonexistent-bootfleet-dir', profiles: { default: { kernel: 'vmlinuz' } } });
  const uefi = await explainFleet(config, { mac: '52:54:00:00:00:07', arch: 7 }, true);
  assert.equal(uefi.resolution.profile, 'rack3');
  assert.equal(uefi.resolution.group, 'row3');
  assert.match(uefi.source, /^inventory postgres/);
  const bios = await explainFleet(config, { mac: '52:54:00:00:00:08', arch: 0 }, true);
  assert.equal(bios.resolution.profile, 'default');
});
