/**
 * The lease-store contract (the same suite SQLite passes) against a real PostgreSQL: a
 * throwaway cluster this file starts, one fresh database per test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLeaseStoreContract } from './lease-store.contract.js';
import { PgLeaseStore } from './pg-lease-store.js';
import { clusterForThisFile, freshDatabaseFactory, pgSkipReason } from './pg-test-support.js';

const skip = pgSkipReason();

if (skip !== null) {
  test('PostgreSQL lease store contract', { skip }, () => {});
} else {
  const testCluster = clusterForThisFile();
  runLeaseStoreContract('postgresql', freshDatabaseFactory(testCluster, 'leases', (url) => PgLeaseStore.open(url)));

  test('migrations: applied once, recorded in schema_version; a newer database is refused', async () => {
    const cluster = await testCluster();
    const url = cluster.createDatabase('migrate');
    const db = url.slice(url.lastIndexOf('/') + 1);
    // Two servers starting at once: the advisory lock lets one migrate, the other finds it done.
    const [a, b] = await Promise.all([PgLeaseStore.open(url), PgLeaseStore.open(url)]);
    assert.equal(await a.schemaVersion(), 1);
    await Promise.all([a.close(), b.close()]);
    assert.equal(cluster.psql(db, 'SELECT version FROM schema_version').trim(), '1');
    cluster.psql(db, 'INSERT INTO schema_version (version, applied_at) VALUES (99, 0)');
    await assert.rejects(PgLeaseStore.open(url), /schema version 99 is newer/);
  });

  test('the database itself refuses a second row for an address or a client', async () => {
    const cluster = await testCluster();
    const url = cluster.createDatabase('constraints');
    const db = url.slice(url.lastIndexOf('/') + 1);
    const s = await PgLeaseStore.open(url);
    await s.close();
    const row = (address: string, client: string): string =>
      `INSERT INTO leases (address, client_id, state, expires_at, updated_at) VALUES ('${address}', '${client}', 'bound', 1, 1)`;
    cluster.psql(db, row('198.18.0.10', 'a'));
    assert.throws(() => cluster.psql(db, row('198.18.0.10', 'b')), /duplicate key value violates unique constraint "leases_pkey"/);
    assert.throws(() => cluster.psql(db, row('198.18.0.11', 'a')), /duplicate key value violates unique constraint "leases_client_id_key"/);
    assert.throws(() => cluster.psql(db, row('198.18.0.0/24', 'c')), /violates check constraint/);
  });
}
