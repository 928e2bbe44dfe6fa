/**
 * The embedded lease store: one SQLite file, `<dataDir>/bootfleet.db`, through libsql's
 * better-sqlite3-compatible API.
 *
 * Durability: WAL with `synchronous=FULL`. In WAL mode `NORMAL` syncs only at checkpoints,
 * so a commit can be lost on power failure even though it returned; a lease handed out
 * in a DHCPACK and then forgotten is a duplicate address on the next boot, so every
 * commit fsyncs the WAL before the Promise resolves. The cost is one fsync per lease
 * write, a few per DHCP exchange: far below any real DHCP load.
 *
 * The calls are synchronous underneath, so the store serialises claims within this
 * process; `BEGIN IMMEDIATE` takes the write lock first, so two processes sharing the
 * file cannot both claim one address.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'libsql';
import { isHeld, type ClaimRequest, type ClaimResult, type Lease, type LeaseState, type LeaseStore } from './lease-store.js';
import { migrations } from './sqlite-migrations.js';

type Db = InstanceType<typeof Database>;

interface LeaseRow {
  address: string;
  client_id: string | null;
  mac: string | null;
  state: string;
  expires_at: number;
  hostname: string | null;
  updated_at: number;
}

const STATES: readonly LeaseState[] = ['offered', 'bound', 'released', 'expired', 'declined'];
const COLUMNS = 'address, client_id, mac, state, expires_at, hostname, updated_at';

/** File name of the lease database inside the data directory. */
export const DB_FILE = 'bootfleet.db';

export class SqliteLeaseStore implements LeaseStore {
  private closed = false;

  private constructor(private readonly db: Db) {}

  /** Opens (creating if needed) `<dataDir>/bootfleet.db` and brings its schema up to date. */
  static openDataDir(dataDir: string): SqliteLeaseStore {
    return SqliteLeaseStore.open(join(dataDir, DB_FILE));
  }

  /**
   * Opens (creating it and its directory if needed) a database file by path, or
   * `:memory:` for throwaway tests, and brings its schema up to date.
   */
  static open(file: string): SqliteLeaseStore {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    const db = new Database(file, { timeout: 5 });
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      migrate(db);
    } catch (err) {
      db.close();
      throw err;
    }
    return new SqliteLeaseStore(db);
  }

  /** Version of the schema in the file, for `bootfleet doctor`. */
  schemaVersion(): number {
    return currentVersion(this.db);
  }

  async getByClient(clientId: string): Promise<Lease | null> {
    return this.one(`SELECT ${COLUMNS} FROM leases WHERE client_id = ?`, clientId);
  }

  async getByAddress(address: string): Promise<Lease | null> {
    return this.one(`SELECT ${COLUMNS} FROM leases WHERE address = ?`, address);
  }

  async list(): Promise<Lease[]> {
    return this.db.prepare(`SELECT ${COLUMNS} FROM leases ORDER BY address_num`).all().map(toLease);
  }

  async claim(req: ClaimRequest): Promise<ClaimResult> {
    return this.immediate(() => {
      const current = this.oneSync(`SELECT ${COLUMNS} FROM leases WHERE address = ?`, req.address);
      if (current && current.clientId !== req.clientId && isHeld(current, req.now)) {
        return { ok: false, reason: current.state === 'declined' ? 'declined' : 'held', holder: current };
      }
      this.db.prepare('DELETE FROM leases WHERE client_id = ? AND address <> ?').run(req.clientId, req.address);
      const keepBound = req.state === 'offered' && current?.clientId === req.clientId && current.state === 'bound' && isHeld(current, req.now);
      const state = keepBound ? 'bound' : req.state;
      const expiresAt = keepBound && current ? current.expiresAt : req.expiresAt;
      this.db
        .prepare(
          `INSERT INTO leases (address, address_num, client_id, mac, state, expires_at, hostname, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (address) DO UPDATE SET client_id = excluded.client_id, mac = excluded.mac, state = excluded.state,
             expires_at = excluded.expires_at, hostname = excluded.hostname, updated_at = excluded.updated_at`,
        )
        .run(req.address, addressNumber(req.address), req.clientId, req.mac, state, expiresAt, req.hostname, req.now);
      const lease: Lease = {
        address: req.address,
        clientId: req.clientId,
        mac: req.mac,
        state,
        expiresAt,
        hostname: req.hostname,
        updatedAt: req.now,
      };
      return { ok: true, lease };
    });
  }

  async release(clientId: string, address: string, now: number): Promise<boolean> {
    const r = this.db
      .prepare(
        `UPDATE leases SET state = 'released', expires_at = ?, updated_at = ?
         WHERE address = ? AND client_id = ? AND state IN ('offered', 'bound')`,
      )
      .run(now, now, address, clientId);
    return r.changes > 0;
  }

  async cancelOffer(clientId: string, address: string, now: number): Promise<boolean> {
    const r = this.db
      .prepare(
        `UPDATE leases SET state = 'released', expires_at = ?, updated_at = ?
         WHERE address = ? AND client_id = ? AND state = 'offered'`,
      )
      .run(now, now, address, clientId);
    return r.changes > 0;
  }

  async decline(clientId: string, address: string, until: number, now: number): Promise<boolean> {
    const r = this.db
      .prepare(
        `UPDATE leases SET state = 'declined', client_id = NULL, expires_at = ?, hostname = NULL, updated_at = ?
         WHERE address = ? AND client_id = ?`,
      )
      .run(until, now, address, clientId);
    return r.changes > 0;
  }

  async expire(now: number): Promise<Lease[]> {
    return this.immediate(() => {
      const due = this.db
        .prepare(`SELECT ${COLUMNS} FROM leases WHERE state IN ('offered', 'bound', 'declined') AND expires_at <= ? ORDER BY address_num`)
        .all(now)
        .map(toLease);
      if (due.length > 0) {
        this.db.prepare(`DELETE FROM leases WHERE state = 'declined' AND expires_at <= ?`).run(now);
        this.db
          .prepare(`UPDATE leases SET state = 'expired', updated_at = ? WHERE state IN ('offered', 'bound') AND expires_at <= ?`)
          .run(now, now);
      }
      return due;
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  private one(sql: string, key: string): Promise<Lease | null> {
    return Promise.resolve(this.oneSync(sql, key));
  }

  private oneSync(sql: string, key: string): Lease | null {
    const row = this.db.prepare(sql).get(key);
    return row === undefined ? null : toLease(row);
  }

  private immediate<T>(fn: () => T): Promise<T> {
    try {
      return Promise.resolve(this.db.transaction(fn).immediate());
    } catch (err) {
      return Promise.reject(err);
    }
  }
}

function migrate(db: Db): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at INTEGER NOT NULL)');
  const have = currentVersion(db);
  const newest = migrations.reduce((m, x) => Math.max(m, x.version), 0);
  if (have > newest) {
    throw new Error(`lease database schema version ${have} is newer than this bootfleet understands (${newest})`);
  }
  for (const m of migrations) {
    if (m.version <= have) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_version (version, applied_at) VALUES (?, ?)').run(m.version, Date.now());
    }).immediate();
  }
}

function currentVersion(db: Db): number {
  const v = db.prepare('SELECT MAX(version) AS v FROM schema_version').get();
  const n = isRecord(v) ? v['v'] : null;
  return typeof n === 'number' ? n : 0;
}

function toLease(row: unknown): Lease {
  if (!isRecord(row)) throw new Error('lease row is not an object');
  const r = row as unknown as LeaseRow;
  const state = STATES.find((s) => s === r.state);
  if (!state) throw new Error(`lease row for ${r.address} has unknown state ${r.state}`);
  return {
    address: r.address,
    clientId: r.client_id,
    mac: r.mac,
    state,
    expiresAt: Number(r.expires_at),
    hostname: r.hostname,
    updatedAt: Number(r.updated_at),
  };
}

function addressNumber(address: string): number {
  return address.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}
