/**
 * The fleet-store contract (the same suite SQLite passes) against a real PostgreSQL: a
 * throwaway cluster this file starts, one fresh database per test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runFleetStoreContract } from './fleet-store.contract.js';
import { PgFleetStore } from './pg-fleet-store.js';
import { PgLeaseStore } from './pg-lease-store.js';
import { clusterForThisFile, freshDatabaseFactory, pgSkipReason } from './pg-test-support.js';

const skip = pgSkipReason();

if (skip !== null) {
  test('PostgreSQL fleet store contract', { skip }, () => {});
} else {
  const testCluster = clusterForThisFile();
  runFleetStoreContract('postgresql', freshDatabaseFactory(testCluster, 'fleet', (url) => PgFleetStore.open(url)));

  test('fleet and leases share one database, each with its own schema version; a newer fleet is refused', async () => {
    const cluster = await testCluster();
    const url = cluster.createDatabase('shared');
    const db = url.slice(url.lastIndexOf('/') + 1);
    const [leases, fleet] = await Promise.all([PgLeaseStore.open(url), PgFleetStore.open(url)]);
    assert.equal(await fleet.schemaVersion(), 2);
    assert.equal(await leases.schemaVersion(), 1);
    await Promise.all([leases.close(), fleet.close()]);
    assert.equal(cluster.psql(db, 'SELECT version FROM fleet_schema_version ORDER BY version').trim(), '1\n2');
    cluster.psql(db, 'INSERT INTO fleet_schema_version (version, applied_at) VALUES (99, 0)');
    await assert.rejects(PgFleetStore.open(url), /fleet schema version 99 is newer/);
  });

  test('two servers registering the same new machines at once: each MAC once, discovered reported once', async () => {
    const url = (await testCluster()).createDatabase('sightings');
    const [a, b] = await Promise.all([PgFleetStore.open(url), PgFleetStore.open(url)]);
    const macs = Array.from({ length: 40 }, (_, i) => `52:54:00:00:01:${i.toString(16).padStart(2, '0')}`);
    const batch = (at: number, order: string[]): { mac: string; at: number }[] => order.map((mac) => ({ mac, at }));
    const [ra, rb] = await Promise.all([a.recordSightings(batch(1, macs)), b.recordSightings(batch(2, [...macs].reverse()))]);
    assert.equal(ra.discovered.length + rb.discovered.length, macs.length);
    const listed = await a.listMachines();
    assert.deepEqual(listed.map((m) => m.mac), macs);
    assert.ok(listed.every((m) => m.firstSeen === 1 || m.firstSeen === 2));
    await Promise.all([a.close(), b.close()]);
  });
}
