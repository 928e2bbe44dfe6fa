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
 * file cannot both claim one address. Claims made before any of them is awaited are
 * committed together (group commit: one fsync for all); other writes first commit any
 * such pending claims, so writes keep the order they were made in. A read sees every
 * write whose Promise has resolved.
 *
 * Reads come from an in-process copy of the table ({@link LeaseTable}), kept in step with
 * this connection's own commits and reloaded whenever `PRAGMA data_version` says another
 * connection committed. The DHCP server reads the whole table twice per DORA exchange;
 * from SQLite that cost grew with the table (the benchmark's profile: row iteration was
 * the largest share of bootfleet's CPU at 1 000 leases) and bounded it well before fsync
 * did. Writes still go to SQLite first: a claim's own check runs inside its transaction.
 */
import { join } from 'node:path';
import { openSqlite, type SqliteDb } from './sqlite-open.js';
import { isHeld, type ClaimRequest, type ClaimResult, type Lease, type LeaseState, type LeaseStore } from './lease-store.js';
import { migrations } from './sqlite-migrations.js';

type Db = SqliteDb;
/** The part of a prepared statement the store uses. */
type Statement = { run(...params: unknown[]): { changes: number }; get(...params: unknown[]): unknown; all(...params: unknown[]): unknown[] };

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

/**
 * The leases table as this process last knew it: by address, by client, and ordered by
 * address number for `list()`. Rows are frozen, so a caller cannot change the copy.
 */
class LeaseTable {
  private readonly byAddress = new Map<string, Lease>();
  private readonly byClient = new Map<string, string>();
  /** Ordered by address number, with the numbers alongside so a lookup never parses text. */
  private readonly ordered: Lease[] = [];
  private readonly numbers: number[] = [];

  /** `rows` as `SELECT … ORDER BY address_num` gives them: a reload costs one pass. */
  constructor(rows: readonly Lease[]) {
    for (const r of rows) {
      const row = Object.freeze({ ...r });
      this.byAddress.set(row.address, row);
      if (row.clientId !== null) this.byClient.set(row.clientId, row.address);
      this.ordered.push(row);
      this.numbers.push(addressNumber(row.address));
    }
  }

  get(address: string): Lease | null {
    return this.byAddress.get(address) ?? null;
  }

  getByClient(clientId: string): Lease | null {
    const address = this.byClient.get(clientId);
    return address === undefined ? null : this.get(address);
  }

  list(): Lease[] {
    return this.ordered.slice();
  }

  /** Inserts or replaces the row for `lease.address`. */
  put(lease: Lease): void {
    const row = Object.freeze({ ...lease });
    const old = this.byAddress.get(row.address);
    if (old?.clientId != null && this.byClient.get(old.clientId) === old.address) this.byClient.delete(old.clientId);
    this.byAddress.set(row.address, row);
    if (row.clientId !== null) this.byClient.set(row.clientId, row.address);
    const n = addressNumber(row.address);
    const i = this.indexOf(n);
    if (old) {
      this.ordered[i] = row;
    } else {
      this.ordered.splice(i, 0, row);
      this.numbers.splice(i, 0, n);
    }
  }

  /** Drops the client's row unless it is for `keep`. */
  dropClient(clientId: string, keep: string): void {
    const address = this.byClient.get(clientId);
    if (address === undefined || address === keep) return;
    this.byClient.delete(clientId);
    if (this.byAddress.delete(address)) {
      const i = this.indexOf(addressNumber(address));
      this.ordered.splice(i, 1);
      this.numbers.splice(i, 1);
    }
  }

  /** Where address number `n` is, or would be inserted, in `ordered`. */
  private indexOf(n: number): number {
    let lo = 0;
    let hi = this.numbers.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.numbers[mid]! < n) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

export class SqliteLeaseStore implements LeaseStore {
  private closed = false;
  private readonly statements = new Map<string, Statement>();
  private cache: LeaseTable | null = null;
  private readonly pendingClaims: { req: ClaimRequest; resolve: (r: ClaimResult) => void; reject: (e: unknown) => void }[] = [];
  /** `PRAGMA data_version` when {@link cache} was loaded: it changes when another connection commits. */
  private cacheVersion = -1;

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
    return new SqliteLeaseStore(openSqlite(file, migrate));
  }

  /** Version of the schema in the file, for `bootfleet doctor`. */
  schemaVersion(): number {
    return currentVersion(this.db);
  }

  async getByClient(clientId: string): Promise<Lease | null> {
    return this.table().getByClient(clientId);
  }

  async getByAddress(address: string): Promise<Lease | null> {
    return this.table().get(address);
  }

  async list(): Promise<Lease[]> {
    return this.table().list();
  }

  /**
   * Group commit: claims made in the same turn of the event loop (before any of them is
   * awaited) share one transaction and so one fsync. Each still runs its own check in
   * order inside it, and every Promise resolves only after the commit is on disk.
   */
  claim(req: ClaimRequest): Promise<ClaimResult> {
    return new Promise<ClaimResult>((resolve, reject) => {
      this.pendingClaims.push({ req, resolve, reject });
      if (this.pendingClaims.length === 1) queueMicrotask(() => this.flushClaims());
    });
  }

  /** Commits the pending claims in one transaction (a savepoint each), then settles them. */
  private flushClaims(): void {
    const batch = this.pendingClaims.splice(0);
    if (batch.length === 0) return;
    if (this.closed) {
      for (const p of batch) p.reject(new Error('lease store is closed'));
      return;
    }
    const outcomes: ({ ok: true; result: ClaimResult } | { ok: false; error: unknown })[] = [];
    try {
      this.transaction(() => {
        for (const p of batch) {
          if (batch.length === 1) {
            outcomes.push({ ok: true, result: this.claimRow(p.req) });
            continue;
          }
          // One failing claim must not take the others in the batch down with it.
          this.stmt('SAVEPOINT claim').run();
          try {
            outcomes.push({ ok: true, result: this.claimRow(p.req) });
          } catch (error) {
            this.stmt('ROLLBACK TO claim').run();
            outcomes.push({ ok: false, error });
          }
          this.stmt('RELEASE claim').run();
        }
      });
    } catch (error) {
      for (const p of batch) p.reject(error);
      return;
    }
    // Committed and synced: bring the copy in step with the rows written, then answer.
    batch.forEach((p, i) => {
      const o = outcomes[i]!;
      if (!o.ok) return p.reject(o.error);
      if (o.result.ok && this.cache) {
        this.cache.dropClient(p.req.clientId, p.req.address);
        this.cache.put(o.result.lease);
      }
      p.resolve(o.result);
    });
  }

  /** One claim's reads and writes, inside the caller's transaction. */
  private claimRow(req: ClaimRequest): ClaimResult {
    const current = this.oneSync(`SELECT ${COLUMNS} FROM leases WHERE address = ?`, req.address);
    if (current && current.clientId !== req.clientId && isHeld(current, req.now)) {
      return { ok: false, reason: current.state === 'declined' ? 'declined' : 'held', holder: current };
    }
    this.stmt('DELETE FROM leases WHERE client_id = ? AND address <> ?').run(req.clientId, req.address);
    const keepBound = req.state === 'offered' && current?.clientId === req.clientId && current.state === 'bound' && isHeld(current, req.now);
    const state = keepBound ? 'bound' : req.state;
    const expiresAt = keepBound && current ? current.expiresAt : req.expiresAt;
    this.stmt(
      `INSERT INTO leases (address, address_num, client_id, mac, state, expires_at, hostname, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (address) DO UPDATE SET client_id = excluded.client_id, mac = excluded.mac, state = excluded.state,
           expires_at = excluded.expires_at, hostname = excluded.hostname, updated_at = excluded.updated_at`,
    ).run(req.address, addressNumber(req.address), req.clientId, req.mac, state, expiresAt, req.hostname, req.now);
    return { ok: true, lease: { address: req.address, clientId: req.clientId, mac: req.mac, state, expiresAt, hostname: req.hostname, updatedAt: req.now } };
  }

  async release(clientId: string, address: string, now: number): Promise<boolean> {
    this.flushClaims();
    const r = this.stmt(
      `UPDATE leases SET state = 'released', expires_at = ?, updated_at = ?
         WHERE address = ? AND client_id = ? AND state IN ('offered', 'bound')`,
    ).run(now, now, address, clientId);
    return this.changed(r.changes, address);
  }

  async cancelOffer(clientId: string, address: string, now: number): Promise<boolean> {
    this.flushClaims();
    const r = this.stmt(
      `UPDATE leases SET state = 'released', expires_at = ?, updated_at = ?
         WHERE address = ? AND client_id = ? AND state = 'offered'`,
    ).run(now, now, address, clientId);
    return this.changed(r.changes, address);
  }

  async decline(clientId: string, address: string, until: number, now: number): Promise<boolean> {
    this.flushClaims();
    const r = this.stmt(
      `UPDATE leases SET state = 'declined', client_id = NULL, expires_at = ?, hostname = NULL, updated_at = ?
         WHERE address = ? AND client_id = ?`,
    ).run(until, now, address, clientId);
    return this.changed(r.changes, address);
  }

  async markConflict(address: string, mac: string, until: number, now: number): Promise<boolean> {
    this.flushClaims();
    // The WHERE on DO UPDATE skips a held bound lease; an insert (no row yet) always happens.
    const r = this.stmt(
      `INSERT INTO leases (address, address_num, client_id, mac, state, expires_at, hostname, updated_at)
         VALUES (?, ?, NULL, ?, 'declined', ?, NULL, ?)
         ON CONFLICT (address) DO UPDATE SET client_id = NULL, mac = excluded.mac, state = 'declined',
           expires_at = excluded.expires_at, hostname = NULL, updated_at = excluded.updated_at
         WHERE NOT (leases.state = 'bound' AND leases.expires_at > ?)`,
    ).run(address, addressNumber(address), mac, until, now, now);
    return this.changed(r.changes, address);
  }

  async expire(now: number): Promise<Lease[]> {
    this.flushClaims();
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
      // Rare (a sweep a minute): reload the copy rather than mirror a bulk update.
      if (due.length > 0) this.cache = null;
      return due;
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.flushClaims();
    this.closed = true;
    this.db.close();
  }

  private oneSync(sql: string, key: string): Lease | null {
    const row = this.stmt(sql).get(key);
    return row === undefined ? null : toLease(row);
  }

  /** A prepared statement, prepared once per connection. */
  private stmt(sql: string): Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare<unknown[]>(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  /** The copy of the table, reloaded if another connection committed since it was read. */
  private table(): LeaseTable {
    const version = dataVersion(this.stmt('PRAGMA data_version').get());
    if (!this.cache || version !== this.cacheVersion) {
      this.cache = new LeaseTable(this.stmt(`SELECT ${COLUMNS} FROM leases ORDER BY address_num`).all().map(toLease));
      this.cacheVersion = version;
    }
    return this.cache;
  }

  /** After a one-row UPDATE: true if it changed the row, whose new state goes into the copy. */
  private changed(changes: number, address: string): boolean {
    if (changes === 0) return false;
    if (this.cache) {
      const row = this.oneSync(`SELECT ${COLUMNS} FROM leases WHERE address = ?`, address);
      if (row) this.cache.put(row);
      else this.cache = null;
    }
    return true;
  }

  private immediate<T>(fn: () => T): Promise<T> {
    try {
      return Promise.resolve(this.transaction(fn));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * `fn` inside BEGIN IMMEDIATE … COMMIT (the write lock first, so two processes cannot
   * interleave), through prepared statements rather than libsql's `transaction()`, which
   * parses BEGIN and COMMIT afresh each time.
   */
  private transaction<T>(fn: () => T): T {
    this.stmt('BEGIN IMMEDIATE').run();
    let result: T;
    try {
      result = fn();
    } catch (err) {
      this.stmt('ROLLBACK').run();
      throw err;
    }
    try {
      this.stmt('COMMIT').run();
    } catch (err) {
      // A failed COMMIT (SQLITE_BUSY, I/O) leaves the transaction open: end it.
      if (this.db.inTransaction) this.stmt('ROLLBACK').run();
      throw err;
    }
    return result;
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

function dataVersion(row: unknown): number {
  const v = isRecord(row) ? row['data_version'] : undefined;
  return typeof v === 'number' ? v : -2;
}

function addressNumber(address: string): number {
  return address.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}
