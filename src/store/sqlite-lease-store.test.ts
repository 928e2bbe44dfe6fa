import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'libsql';
import { runLeaseStoreContract } from './lease-store.contract.js';
import { SqliteLeaseStore, DB_FILE } from './sqlite-lease-store.js';
import type { LeaseStore } from './lease-store.js';

/** libsql's `pragma(…, { simple: true })` returns the whole row, so read the column by name. */
function pragma(db: InstanceType<typeof Database>, name: string): unknown {
  const row = db.prepare(`PRAGMA ${name}`).get();
  return typeof row === 'object' && row !== null ? (row as Record<string, unknown>)[name] : undefined;
}

const root = mkdtempSync(join(tmpdir(), 'bootfleet-store-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const dirOf = new Map<LeaseStore, string>();

runLeaseStoreContract('sqlite', {
  async create() {
    const dir = join(root, `db${n++}`);
    const s = SqliteLeaseStore.openDataDir(dir);
    dirOf.set(s, dir);
    return s;
  },
  async reopen(store) {
    const dir = dirOf.get(store);
    assert.ok(dir);
    await store.close();
    const s = SqliteLeaseStore.openDataDir(dir);
    dirOf.set(s, dir);
    return s;
  },
});

test('the file lives at <dataDir>/bootfleet.db in WAL mode with synchronous=FULL', async () => {
  const dir = join(root, 'pragmas', 'nested');
  const s = SqliteLeaseStore.openDataDir(dir);
  assert.ok(existsSync(join(dir, DB_FILE)));
  assert.equal(s.schemaVersion(), 1);
  await s.close();
  const raw = new Database(join(dir, DB_FILE));
  assert.equal(pragma(raw, 'journal_mode'), 'wal');
  raw.close();
});

test('reopening does not apply migrations twice', async () => {
  const dir = join(root, 'twice');
  await SqliteLeaseStore.openDataDir(dir).close();
  const s = SqliteLeaseStore.openDataDir(dir);
  assert.equal(s.schemaVersion(), 1);
  await s.close();
  const raw = new Database(join(dir, DB_FILE));
  assert.deepEqual(raw.prepare('SELECT version FROM schema_version').all(), [{ version: 1 }]);
  raw.close();
});

test('refuses a database from a newer bootfleet', async () => {
  const dir = join(root, 'newer');
  await SqliteLeaseStore.openDataDir(dir).close();
  const raw = new Database(join(dir, DB_FILE));
  raw.prepare('INSERT INTO schema_version (version, applied_at) VALUES (99, 0)').run();
  raw.close();
  assert.throws(() => SqliteLeaseStore.openDataDir(dir), /schema version 99 is newer/);
});

test('synchronous=FULL is set on every connection', async () => {
  const s = SqliteLeaseStore.open(':memory:');
  // synchronous is per connection; read it back through the store's own handle.
  const db = (s as unknown as { db: InstanceType<typeof Database> }).db;
  assert.equal(pragma(db, 'synchronous'), 2);
  await s.close();
});
