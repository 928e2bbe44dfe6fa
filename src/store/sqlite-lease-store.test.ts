import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'libsql';
import { runLeaseStoreContract } from './lease-store.contract.js';
import { SqliteLeaseStore, DB_FILE } from './sqlite-lease-store.js';
import type { LeaseStore } from './lease-store.js';
import { migrations } from './sqlite-migrations.js';

const NEWEST = Math.max(...migrations.map((m) => m.version));

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

/**
 * The same contract with every `offered` claim made through holdNow (the DHCP path's
 * DISCOVER): it must decide exactly as claim does. The wrapper's other methods are the store's own.
 */
const inner = new Map<LeaseStore, SqliteLeaseStore>();
function holdingNow(s: SqliteLeaseStore): LeaseStore {
  const claim = (req: Parameters<LeaseStore['claim']>[0]): ReturnType<LeaseStore['claim']> =>
    req.state === 'offered' ? Promise.resolve(s.holdNow({ ...req, state: 'offered' })) : s.claim(req);
  // Every other method is the store's own, called on the store itself (its state is its own fields).
  const w = new Proxy(s, {
    get(target, prop) {
      if (prop === 'claim') return claim;
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  inner.set(w, s);
  return w;
}
runLeaseStoreContract('sqlite, offers through holdNow', {
  async create() {
    const dir = join(root, `db${n++}`);
    const s = SqliteLeaseStore.openDataDir(dir);
    dirOf.set(s, dir);
    return holdingNow(s);
  },
  async reopen(store) {
    const old = inner.get(store);
    const dir = old && dirOf.get(old);
    assert.ok(old && dir);
    await old.close();
    const s = SqliteLeaseStore.openDataDir(dir);
    dirOf.set(s, dir);
    return holdingNow(s);
  },
});

test('the file lives at <dataDir>/bootfleet.db in WAL mode with synchronous=FULL', async () => {
  const dir = join(root, 'pragmas', 'nested');
  const s = SqliteLeaseStore.openDataDir(dir);
  assert.ok(existsSync(join(dir, DB_FILE)));
  assert.equal(s.schemaVersion(), NEWEST);
  await s.close();
  const raw = new Database(join(dir, DB_FILE));
  assert.equal(pragma(raw, 'journal_mode'), 'wal');
  raw.close();
});

test('reopening does not apply migrations twice', async () => {
  const dir = join(root, 'twice');
  await SqliteLeaseStore.openDataDir(dir).close();
  const s = SqliteLeaseStore.openDataDir(dir);
  assert.equal(s.schemaVersion(), NEWEST);
  await s.close();
  const raw = new Database(join(dir, DB_FILE));
  assert.deepEqual(
    raw.prepare('SELECT version FROM schema_version ORDER BY version').all(),
    migrations.map((m) => ({ version: m.version })),
  );
  raw.close();
});

test('a file from before keeps its leases and loses the indexes nothing reads', async () => {
  const dir = join(root, 'from-v1');
  const file = join(dir, DB_FILE);
  await SqliteLeaseStore.openDataDir(dir).close();
  // Back to what an older bootfleet left: migration 1's indexes, one lease.
  const raw = new Database(file);
  raw.exec(`CREATE INDEX leases_mac ON leases (mac);
    CREATE INDEX leases_held_expiry ON leases (expires_at) WHERE state IN ('offered', 'bound', 'declined');
    INSERT INTO leases (address, address_num, client_id, mac, state, expires_at, hostname, updated_at)
      VALUES ('198.18.0.7', 3323068423, 'c7', '52:54:00:00:00:07', 'bound', 9000000000000, NULL, 1);`);
  raw.close();
  const s = SqliteLeaseStore.openDataDir(dir);
  assert.equal(s.schemaVersion(), NEWEST);
  assert.equal((await s.getByClient('c7'))?.address, '198.18.0.7');
  await s.close();
  const after2 = new Database(file);
  const indexes = after2.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'leases' AND sql IS NOT NULL").all();
  after2.close();
  assert.deepEqual(indexes, []);
});

test('a file with migration 1\'s rowid table is rebuilt clustered on the address: every lease kept, no index left, writes still land', async () => {
  const dir = join(root, 'schema-1');
  const file = join(dir, DB_FILE);
  mkdirSync(dir, { recursive: true });
  // What migration 1 alone made, written by hand: the table with its rowid and UNIQUE client_id.
  const v1 = migrations.find((m) => m.version === 1);
  assert.ok(v1);
  const raw = new Database(file);
  raw.exec(`CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at INTEGER NOT NULL);
    INSERT INTO schema_version VALUES (1, 0);
    ${v1.sql}
    INSERT INTO leases (address, address_num, client_id, mac, state, expires_at, hostname, updated_at) VALUES
      ('198.18.0.7', 3323068423, 'c7', '52:54:00:00:00:07', 'bound', 9000000000000, 'seven', 1),
      ('198.18.0.8', 3323068424, NULL, '52:54:00:00:00:08', 'declined', 9000000000000, NULL, 2);`);
  raw.close();
  const s = SqliteLeaseStore.openDataDir(dir);
  assert.equal(s.schemaVersion(), NEWEST);
  assert.deepEqual(await s.getByClient('c7'), {
    address: '198.18.0.7', clientId: 'c7', mac: '52:54:00:00:00:07', state: 'bound', expiresAt: 9000000000000, hostname: 'seven', updatedAt: 1,
  });
  assert.equal((await s.getByAddress('198.18.0.8'))?.state, 'declined');
  const claimed = await s.claim({ address: '198.18.0.9', clientId: 'c9', mac: '52:54:00:00:00:09', state: 'bound', expiresAt: 9000000000000, hostname: null, now: 3 });
  assert.equal(claimed.ok, true);
  await s.close();
  const after2 = new Database(file);
  const table = after2.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'leases'").get() as { sql: string };
  const indexes = after2.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'leases'").all() as { name: string }[];
  const rows = after2.prepare('SELECT address FROM leases ORDER BY address_num').all();
  // The generation triggers went with the old table and are back on the new one.
  const triggers = after2.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'leases' ORDER BY name").all();
  const generation = after2.prepare('SELECT n FROM lease_generation').get() as { n: number };
  after2.close();
  assert.deepEqual(triggers, [{ name: 'leases_generation_delete' }, { name: 'leases_generation_insert' }, { name: 'leases_generation_update' }]);
  assert.ok(generation.n > 0, 'the claim after the rebuild bumped the generation');
  assert.match(table.sql, /WITHOUT ROWID/);
  // The table is its primary key's B-tree: no index at all, not even SQLite's own for a key or UNIQUE.
  assert.deepEqual(indexes, []);
  assert.deepEqual(rows, [{ address: '198.18.0.7' }, { address: '198.18.0.8' }, { address: '198.18.0.9' }]);
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

test('the writer thread checkpoints the WAL; the main thread connection leaves it to the writer', async () => {
  const dir = join(root, 'checkpoints');
  const s = SqliteLeaseStore.openDataDir(dir);
  const db = (s as unknown as { db: InstanceType<typeof Database> }).db;
  assert.equal(pragma(db, 'wal_autocheckpoint'), 10_000);
  // ~700 commits of 3–4 pages each: well past the writer's 1 000-page checkpoint.
  for (let i = 0; i < 700; i++) {
    const r = await s.claim({ clientId: `c${i}`, mac: '52:54:00:00:00:01', address: `198.18.${i >> 8}.${i & 255}`, state: 'bound', expiresAt: 9e12, hostname: null, now: 1 });
    assert.ok(r.ok);
  }
  // Checkpointed at 1 000 pages, the WAL is written again from its start: it never grew to
  // the ~2 500 pages of 700 commits.
  const walPages = statSync(join(dir, `${DB_FILE}-wal`)).size / (4096 + 24);
  assert.ok(walPages < 1500, `WAL holds ${walPages.toFixed(0)} pages`);
  await s.close();
});
