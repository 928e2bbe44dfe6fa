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
 * file cannot both claim one address. Group commit: claims are queued and committed
 * together in the event loop's check phase (`setImmediate`), after the poll phase has
 * handed over every datagram that arrived, so all the claims those requests made share
 * one transaction and one fsync; while a commit's fsync blocks the loop, the next batch
 * waits in the kernel's socket buffer. A batch of offers alone commits without its own
 * fsync (`synchronous=NORMAL` for that one commit): an OFFER promises nothing (RFC 2131
 * §4.3.1 — the server "need not" record it), and the next ACK's fsync makes the WAL
 * frames before it durable too. Other writes first commit any pending claims, so writes
 * keep the order they were made in. A read sees every write whose Promise has resolved.
 *
 * Reads come from an in-process copy of the table ({@link LeaseIndex}: by address, by
 * client, and a free-address index for the pool), kept in step with this connection's own
 * commits. Another connection's commit changes `PRAGMA data_version`; the copy is reloaded
 * only if it changed the leases, which the `lease_generation` counter (bumped by triggers
 * on every insert, update and delete of a lease) says: the fleet store's connection to the
 * same file commits sightings every 250 ms under load, and reloading 50 000 rows for each
 * of those was most of the server's time in the preloaded benchmark. Writes still go to
 * SQLite first: a claim's own check runs inside its transaction.
 */
import { join } from 'node:path';
import { openSqlite, type SqliteDb } from './sqlite-open.js';
import { isHeld, type ClaimRequest, type ClaimResult, type Lease, type LeaseState, type LeaseStore } from './lease-store.js';
import { addressNumber, LeaseIndex, type LeaseView } from './lease-index.js';
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

export class SqliteLeaseStore implements LeaseStore {
  /** Claims of concurrent requests share one commit (group commit, below). */
  readonly parallelRequests = true;
  private closed = false;
  private readonly statements = new Map<string, Statement>();
  private cache: LeaseIndex | null = null;
  private readonly pendingClaims: { req: ClaimRequest; resolve: (r: ClaimResult) => void; reject: (e: unknown) => void }[] = [];
  private flushScheduled: NodeJS.Immediate | null = null;
  /** `PRAGMA data_version` when {@link cache} was last known current: it changes when another connection commits. */
  private cacheVersion = -1;
  /** `lease_generation.n` that {@link cache} reflects. */
  private cacheGeneration = -1;

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
   * The copy itself (no snapshot): valid until the caller next awaits, which is all the pool
   * needs to choose an address synchronously.
   */
  async view(): Promise<LeaseView> {
    return this.table();
  }

  /**
   * Group commit: claims made before the event loop's next check phase share one
   * transaction and so (at most) one fsync. Each still runs its own check in order inside
   * it, and every Promise resolves only after the commit is on disk.
   */
  claim(req: ClaimRequest): Promise<ClaimResult> {
    return new Promise<ClaimResult>((resolve, reject) => {
      this.pendingClaims.push({ req, resolve, reject });
      this.flushScheduled ??= setImmediate(() => this.flushClaims());
    });
  }

  /** Commits the pending claims in one transaction, then settles them. */
  private flushClaims(): void {
    if (this.flushScheduled) clearImmediate(this.flushScheduled);
    this.flushScheduled = null;
    const batch = this.pendingClaims.splice(0);
    if (batch.length === 0) return;
    if (this.closed) {
      for (const p of batch) p.reject(new Error('lease store is closed'));
      return;
    }
    let outcomes: ({ ok: true; result: ClaimResult } | { ok: false; error: unknown })[];
    // Offers alone need no fsync of their own (see the file's comment); anything bound does.
    const offersOnly = batch.every((p) => p.req.state === 'offered');
    try {
      outcomes = this.write(() => batch.map((p) => ({ ok: true as const, result: this.claimRow(p.req) })), offersOnly);
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      // One failing claim must not take the others down with it: the batch was rolled back
      // whole, so each claim runs again in its own transaction (rare: a constraint or I/O error).
      outcomes = batch.map((p) => {
        try {
          return { ok: true as const, result: this.write(() => this.claimRow(p.req)) };
        } catch (e) {
          return { ok: false as const, error: e };
        }
      });
    }
    // Committed (and synced unless offers only): bring the copy in step, then answer.
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
    return this.updateOne(
      `UPDATE leases SET state = 'released', expires_at = ?, updated_at = ?
         WHERE address = ? AND client_id = ? AND state IN ('offered', 'bound')`,
      [now, now, address, clientId],
      address,
    );
  }

  async cancelOffer(clientId: string, address: string, now: number): Promise<boolean> {
    return this.updateOne(
      `UPDATE leases SET state = 'released', expires_at = ?, updated_at = ?
         WHERE address = ? AND client_id = ? AND state = 'offered'`,
      [now, now, address, clientId],
      address,
    );
  }

  async decline(clientId: string, address: string, until: number, now: number): Promise<boolean> {
    return this.updateOne(
      `UPDATE leases SET state = 'declined', client_id = NULL, expires_at = ?, hostname = NULL, updated_at = ?
         WHERE address = ? AND client_id = ?`,
      [until, now, address, clientId],
      address,
    );
  }

  async markConflict(address: string, mac: string, until: number, now: number): Promise<boolean> {
    // The WHERE on DO UPDATE skips a held bound lease; an insert (no row yet) always happens.
    // Through updateOne so the in-memory copy (and the free-address index) sees the mark.
    return this.updateOne(
      `INSERT INTO leases (address, address_num, client_id, mac, state, expires_at, hostname, updated_at)
         VALUES (?, ?, NULL, ?, 'declined', ?, NULL, ?)
         ON CONFLICT (address) DO UPDATE SET client_id = NULL, mac = excluded.mac, state = 'declined',
           expires_at = excluded.expires_at, hostname = NULL, updated_at = excluded.updated_at
         WHERE NOT (leases.state = 'bound' AND leases.expires_at > ?)`,
      [address, addressNumber(address), mac, until, now, now],
      address,
    );
  }

  async expire(now: number): Promise<Lease[]> {
    this.flushClaims();
    const due = this.write(() => {
      const rows = this.stmt(`SELECT ${COLUMNS} FROM leases WHERE state IN ('offered', 'bound', 'declined') AND expires_at <= ? ORDER BY address_num`)
        .all(now)
        .map(toLease);
      if (rows.length > 0) {
        this.stmt(`DELETE FROM leases WHERE state = 'declined' AND expires_at <= ?`).run(now);
        this.stmt(`UPDATE leases SET state = 'expired', updated_at = ? WHERE state IN ('offered', 'bound') AND expires_at <= ?`).run(now, now);
      }
      return rows;
    });
    if (this.cache) {
      for (const row of due) {
        if (row.state === 'declined') this.cache.delete(row.address);
        else this.cache.put({ ...row, state: 'expired', updatedAt: now });
      }
    }
    return due;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.flushClaims();
    this.closed = true;
    this.db.close();
  }

  /** A one-row UPDATE after any pending claims; the changed row's new state goes into the copy. */
  private updateOne(sql: string, params: unknown[], address: string): boolean {
    this.flushClaims();
    return this.write(() => {
      if (this.stmt(sql).run(...params).changes === 0) return false;
      if (this.cache) {
        const row = this.oneSync(`SELECT ${COLUMNS} FROM leases WHERE address = ?`, address);
        if (row) this.cache.put(row);
        else this.cache.delete(address);
      }
      return true;
    });
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

  private generation(): number {
    const row = this.stmt('SELECT n FROM lease_generation WHERE id = 1').get();
    const n = isRecord(row) ? row['n'] : undefined;
    return typeof n === 'number' ? n : -2;
  }

  /** The copy of the table, reloaded if another connection changed the leases since it was read. */
  private table(): LeaseIndex {
    const version = dataVersion(this.stmt('PRAGMA data_version').get());
    if (this.cache && version === this.cacheVersion) return this.cache;
    const generation = this.generation();
    if (!this.cache || generation !== this.cacheGeneration) {
      this.cache = LeaseIndex.of(this.stmt(`SELECT ${COLUMNS} FROM leases`).all().map(toLease));
      this.cacheGeneration = generation;
    }
    this.cacheVersion = version;
    return this.cache;
  }

  /**
   * `fn` inside BEGIN IMMEDIATE … COMMIT (the write lock first, so two processes cannot
   * interleave), through prepared statements rather than libsql's `transaction()`, which
   * parses BEGIN and COMMIT afresh each time. Keeps the copy's generation in step: if
   * another connection changed the leases since the copy was read, the copy is dropped.
   * `noSync`: commit without fsync (`synchronous=NORMAL` for this commit only).
   */
  private write<T>(fn: () => T, noSync = false): T {
    // SQLite refuses to change the safety level inside a transaction: set it around one.
    if (noSync) this.stmt('PRAGMA synchronous = NORMAL').run();
    try {
      return this.transaction(fn);
    } finally {
      if (noSync) this.stmt('PRAGMA synchronous = FULL').run();
    }
  }

  private transaction<T>(fn: () => T): T {
    this.stmt('BEGIN IMMEDIATE').run();
    let result: T;
    try {
      if (this.cache && this.generation() !== this.cacheGeneration) this.cache = null;
      result = fn();
      if (this.cache) this.cacheGeneration = this.generation();
    } catch (err) {
      this.stmt('ROLLBACK').run();
      throw err;
    }
    try {
      this.stmt('COMMIT').run();
    } catch (err) {
      // A failed COMMIT (SQLITE_BUSY, I/O) leaves the transaction open: end it.
      if (this.db.inTransaction) this.stmt('ROLLBACK').run();
      this.cache = null;
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
  db.exec(LEASE_GENERATION_SQL);
}

/**
 * The `lease_generation` counter (see the file's comment). Not a numbered migration: it only
 * tells a cached copy whether the leases changed, so it is created where missing and works
 * in both directions — an older bootfleet opening the file just keeps bumping it, and a
 * file without it gets it at the next open — where a schema version would make an older
 * bootfleet refuse the file.
 */
const LEASE_GENERATION_SQL = `
  CREATE TABLE IF NOT EXISTS lease_generation (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL);
  INSERT OR IGNORE INTO lease_generation (id, n) VALUES (1, 0);
  CREATE TRIGGER IF NOT EXISTS leases_generation_insert AFTER INSERT ON leases BEGIN UPDATE lease_generation SET n = n + 1 WHERE id = 1; END;
  CREATE TRIGGER IF NOT EXISTS leases_generation_update AFTER UPDATE ON leases BEGIN UPDATE lease_generation SET n = n + 1 WHERE id = 1; END;
  CREATE TRIGGER IF NOT EXISTS leases_generation_delete AFTER DELETE ON leases BEGIN UPDATE lease_generation SET n = n + 1 WHERE id = 1; END;
`;

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

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}
