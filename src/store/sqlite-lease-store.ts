/**
 * The embedded lease store: one SQLite file, `<dataDir>/bootfleet.db`, through libsql's
 * better-sqlite3-compatible API.
 *
 * Durability: WAL with `synchronous=FULL`. In WAL mode `NORMAL` syncs only at checkpoints,
 * so a commit can be lost on power failure even though it returned; a lease handed out
 * in a DHCPACK and then forgotten is a duplicate address on the next boot, so a bound
 * claim's Promise resolves only after its commit fsynced the WAL.
 *
 * Writes are decided here, at once, against an in-process copy of the table
 * ({@link LeaseIndex}: by address, by client, and a free-address index for the pool),
 * which is authoritative for this process (the file has one writer process; PostgreSQL is
 * the store servers share). The decision is applied to the copy at once, so every later
 * decision sees it (two clients never get one address), and its rows go to a writer thread
 * (`sqlite-lease-writer.ts`) with its own connection: libsql is synchronous, and on the
 * main thread each commit's fsync blocked the event loop. Showing a write before it is on
 * disk is safe because batches commit in order: whatever is decided from it (a later ACK)
 * is durable only after it is.
 *
 * Group commit: the first queued write schedules a flush in the event loop's check phase
 * (`setImmediate`), after the poll phase has handed over every datagram that arrived; every
 * write queued by then goes to the writer as one batch (one transaction, one fsync). One
 * batch is with the writer at a time; writes made meanwhile form the next, so batches grow
 * with the disk's latency, and that next batch leaves no sooner than {@link COMMIT_INTERVAL_MS}
 * after the previous one (or once 64 writes wait): fewer, larger commits under load. A bound claim, release, decline, conflict mark or expiry resolves
 * when the writer reports its batch committed. An `offered` hold resolves at once (an
 * OFFER promises nothing, RFC 2131 §4.3.1), its row is dropped if a later write to the
 * address (the REQUEST) replaces it before its batch leaves, and a batch of offers alone
 * commits at `synchronous=NORMAL`: the next synced commit makes it durable too.
 *
 * Another connection's commit changes `PRAGMA data_version`; the copy is reloaded only if it
 * changed the leases, which the `lease_generation` counter (bumped by triggers on every
 * insert, update and delete of a lease) says: the fleet store's connection to the same file
 * commits sightings every 250 ms under load, and reloading 50 000 rows for each of those was
 * most of the server's time in the preloaded benchmark. While writes are queued or with
 * the writer the check is skipped (the writer's commits look like another connection's);
 * the writer compares the generation inside its transaction with the one after this
 * store's last commit and says when someone else changed the leases, and the copy is then
 * read again, with the writes not yet committed put back on top.
 */
import { join } from 'node:path';
import { openSqlite, WRITER_AUTOCHECKPOINT_PAGES, type SqliteDb } from './sqlite-open.js';
import { isHeld, type ClaimRequest, type ClaimResult, type Lease, type LeaseCounts, type LeaseStore } from './lease-store.js';
import { LeaseIndex, type LeaseView } from './lease-index.js';
import { migrations } from './sqlite-migrations.js';
import { COLUMNS, isRecord, StatementCache, toLease } from './sqlite-lease-rows.js';
import { encodeBatch, type LeaseBatchResult, type LeaseRowWrite } from './sqlite-lease-batch.js';
import { InlineLeaseWriter, WorkerLeaseWriter, type LeaseWriter } from './sqlite-lease-writer.js';
import type { SightingWriter } from './sqlite-sightings.js';

type Db = SqliteDb;

/** File name of the lease database inside the data directory. */
export const DB_FILE = 'bootfleet.db';

export interface SqliteLeaseStoreOptions {
  /**
   * Wraps the writer the store would use (for tests: hold a batch's report back, count
   * batches). Default: a worker thread for a file, inline for `:memory:`.
   */
  wrapWriter?: (writer: LeaseWriter) => LeaseWriter;
  /** Run writes on the store's own connection even for a file (no thread). Default false. */
  inlineWrites?: boolean;
  /** Under load, at least this long between one batch going to the writer and the next (see {@link COMMIT_INTERVAL_MS}). */
  commitIntervalMs?: number;
}

/**
 * Under load, the least time between one batch going to the writer and the next. Without
 * it a batch left as soon as the previous one committed (0.2–0.5 ms with its fsync on the
 * bench host), so a moderate load made a thousand small commits a second, and a commit's
 * fixed part (BEGIN, COMMIT's WAL write and fsync, the messages, the wake-ups: ≈ 75 µs of
 * CPU) dominated the writer thread. Waiting adds at most this much to an ACK's latency
 * (a client retransmits after seconds), only while writes arrive faster than one commit
 * takes; a lone write still leaves in the next check phase. The store alone driven at
 * 4 000 DORA/s on the 2-core bench host: the writer thread spent 47 µs of CPU per DORA
 * with no interval, 30 at 2 ms, 20 at 4 ms, 15 at 8 ms. The whole server at 10 000 DORA/s
 * (bench/tools/dhcp-cpu.mjs, alternating, session 5): 77 µs per DORA at 4 ms (64 at once) and
 * 72 at 8 ms (128 at once), and perfdhcp lost 1.3 % instead of 4.4 % (fewer wake-ups of a
 * thread competing with the client for two cores). 12 ms: no better.
 */
export const COMMIT_INTERVAL_MS = 8;

function ignore(): void {}

/** Queued writes that make the next batch leave at once, interval or not. */
const COALESCE_WRITES = 128;

interface PendingWrite {
  write: LeaseRowWrite;
  /** An offer hold: needs no fsync of its own. */
  offer: boolean;
  resolve: () => void;
  reject: (e: Error) => void;
}

export class SqliteLeaseStore implements LeaseStore {
  /** Writes of concurrent requests share one commit (group commit, above). */
  readonly parallelRequests = true;
  private closed = false;
  private readonly statements: StatementCache;
  private readonly writer: LeaseWriter;
  private readonly thread: WorkerLeaseWriter | null;
  private cache: LeaseIndex | null = null;
  private readonly pending: PendingWrite[] = [];
  private flushScheduled: { cancel: () => void } | null = null;
  /** When the last batch went to the writer (`performance.now()`). */
  private lastFlushAt = -Infinity;
  /** The batch with the writer, if any (at most one), and its writes. */
  private inFlight: Promise<void> | null = null;
  private inFlightWrites: PendingWrite[] = [];
  /** Of {@link pending}, the write that puts each address: a later write to it makes that put moot. */
  private readonly unsentPuts = new Map<string, PendingWrite>();
  /** `PRAGMA data_version` when {@link cache} was last known current: it changes when another connection commits. */
  private cacheVersion = -1;
  /** `lease_generation.n` after this store's last commit (or when the copy was read). */
  private cacheGeneration = -1;

  private readonly commitIntervalMs: number;

  private constructor(private readonly db: Db, file: string, opts: SqliteLeaseStoreOptions) {
    this.commitIntervalMs = opts.commitIntervalMs ?? COMMIT_INTERVAL_MS;
    this.statements = new StatementCache(db);
    const base = file === ':memory:' || opts.inlineWrites === true ? new InlineLeaseWriter(this.statements) : new WorkerLeaseWriter(file);
    this.writer = opts.wrapWriter ? opts.wrapWriter(base) : base;
    this.thread = base instanceof WorkerLeaseWriter ? base : null;
  }

  /**
   * The writer thread's sightings writer, for the fleet store on the same file (`store-factory.ts`):
   * null when writes run inline (`:memory:`), where the fleet store writes on its own connection.
   * The thread itself, not `wrapWriter`'s wrapper (the labs' instruments for lease batches). If
   * the thread dies, sightings fail with it (each batch an `fleet.error`): the server cannot
   * commit a lease then either.
   */
  sightingWriter(): SightingWriter | null {
    const thread = this.thread;
    return thread ? (flat) => thread.recordSightings(flat) : null;
  }

  /** Opens (creating if needed) `<dataDir>/bootfleet.db` and brings its schema up to date. */
  static openDataDir(dataDir: string, opts: SqliteLeaseStoreOptions = {}): SqliteLeaseStore {
    return SqliteLeaseStore.open(join(dataDir, DB_FILE), opts);
  }

  /**
   * Opens (creating it and its directory if needed) a database file by path, or
   * `:memory:` for throwaway tests, and brings its schema up to date.
   */
  static open(file: string, opts: SqliteLeaseStoreOptions = {}): SqliteLeaseStore {
    // Writing inline, this connection is the writer and does the checkpoints (sqlite-open.ts).
    const db = openSqlite(file, migrate, opts.inlineWrites === true ? { autocheckpointPages: WRITER_AUTOCHECKPOINT_PAGES } : {});
    return new SqliteLeaseStore(db, file, opts);
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

  async countByState(now: number): Promise<LeaseCounts> {
    return this.table().countByState(now);
  }

  /**
   * The copy itself (no snapshot): valid until the caller next awaits, which is all the pool
   * needs to choose an address synchronously.
   */
  async view(): Promise<LeaseView> {
    return this.table();
  }

  viewNow(): LeaseView {
    return this.table();
  }

  /**
   * Decided at once against the copy (claims are judged in the order they are made). A
   * `bound` claim resolves once the lease is on disk (group commit, above); an `offered`
   * hold as soon as it is decided (see {@link LeaseStore.claim}): it goes to the file with
   * the next batch, and is not written at all if a later write to its address (the
   * client's REQUEST) supersedes it before that batch leaves. A refused claim writes nothing.
   */
  async claim(req: ClaimRequest): Promise<ClaimResult> {
    const decided = this.decideClaim(req);
    if (!decided.ok) return decided;
    if (req.state === 'offered') this.enqueueHold(decided.write);
    else await this.write(decided.write);
    return { ok: true, lease: decided.lease };
  }

  holdNow(req: ClaimRequest & { state: 'offered' }): ClaimResult {
    const decided = this.decideClaim(req);
    if (!decided.ok) return decided;
    this.enqueueHold(decided.write);
    return { ok: true, lease: decided.lease };
  }

  /** What {@link claim} writes, decided against the copy; nothing is changed yet. */
  private decideClaim(req: ClaimRequest): (ClaimResult & { ok: false }) | { ok: true; lease: Lease; write: LeaseRowWrite } {
    const t = this.writable();
    const current = t.get(req.address);
    if (current && current.clientId !== req.clientId && isHeld(current, req.now)) {
      return { ok: false, reason: current.state === 'declined' ? 'declined' : 'held', holder: current };
    }
    // One row per client: its row for another address goes.
    const old = t.getByClient(req.clientId);
    const deletes = old && old.address !== req.address ? [old.address] : [];
    const keepBound = req.state === 'offered' && current?.clientId === req.clientId && current.state === 'bound' && isHeld(current, req.now);
    // Frozen here, so the copy keeps this object rather than copying it (`LeaseIndex.put`).
    const lease: Lease = Object.freeze({
      address: req.address,
      clientId: req.clientId,
      mac: req.mac,
      state: keepBound ? 'bound' : req.state,
      expiresAt: keepBound && current ? current.expiresAt : req.expiresAt,
      hostname: req.hostname,
      updatedAt: req.now,
    });
    return { ok: true, lease, write: { deletes, puts: [lease] } };
  }

  /** Nobody waits for a hold (no Promise made for it): a write failure already drops the copy for a reload. */
  private enqueueHold(write: LeaseRowWrite): void {
    this.enqueue({ write, offer: true, resolve: ignore, reject: ignore });
  }

  async release(clientId: string, address: string, now: number): Promise<boolean> {
    const row = this.writable().get(address);
    if (!row || row.clientId !== clientId || (row.state !== 'offered' && row.state !== 'bound')) return false;
    await this.write({ deletes: [], puts: [{ ...row, state: 'released', expiresAt: now, updatedAt: now }] });
    return true;
  }

  async cancelOffer(clientId: string, address: string, now: number): Promise<boolean> {
    const row = this.writable().get(address);
    if (!row || row.clientId !== clientId || row.state !== 'offered') return false;
    await this.write({ deletes: [], puts: [{ ...row, state: 'released', expiresAt: now, updatedAt: now }] });
    return true;
  }

  async decline(clientId: string, address: string, until: number, now: number): Promise<boolean> {
    const row = this.writable().get(address);
    if (!row || row.clientId !== clientId) return false;
    await this.write({ deletes: [], puts: [{ ...row, state: 'declined', clientId: null, expiresAt: until, hostname: null, updatedAt: now }] });
    return true;
  }

  async markConflict(address: string, mac: string, until: number, now: number): Promise<boolean> {
    const row = this.writable().get(address);
    // A bound lease still running is never taken back: its ACK is out.
    if (row && row.state === 'bound' && row.expiresAt > now) return false;
    await this.write({ deletes: [], puts: [{ address, clientId: null, mac, state: 'declined', expiresAt: until, hostname: null, updatedAt: now }] });
    return true;
  }

  async expire(now: number): Promise<Lease[]> {
    const t = this.writable();
    // Once a minute, off the DHCP path: a pass over the copy is cheap next to the commit.
    const due = t.list().filter((l) => (l.state === 'offered' || l.state === 'bound' || l.state === 'declined') && l.expiresAt <= now);
    if (due.length === 0) return [];
    const write: LeaseRowWrite = { deletes: [], puts: [] };
    for (const row of due) {
      if (row.state === 'declined') write.deletes.push(row.address);
      else write.puts.push({ ...row, state: 'expired', updatedAt: now });
    }
    await this.write(write);
    return due;
  }

  /** Resolves once every write made so far (offer holds too) is in the file. */
  async settled(): Promise<void> {
    while (this.inFlight || this.pending.length > 0) {
      if (!this.inFlight) this.flush();
      await this.inFlight;
    }
  }

  /** Waits for the writes already made, then ends the writer and closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.settled();
    await this.writer.close();
    this.db.close();
  }

  /** The copy, for a write to be decided against. */
  private writable(): LeaseIndex {
    if (this.closed) throw new Error('lease store is closed');
    return this.table();
  }

  /**
   * Applies `write` to the copy at once, so the next decision sees it (two clients never
   * get one address), and queues it for the writer; resolves once it is on disk. Safe to
   * show before it is durable: batches commit in order, so anything decided from this
   * write (a later ACK) is durable only after it is.
   */
  private write(write: LeaseRowWrite): Promise<void> {
    return new Promise<void>((resolve, reject) => this.enqueue({ write, offer: false, resolve, reject }));
  }

  /** {@link write} for a pending write made by the caller (an offer hold comes with no Promise). */
  private enqueue(p: PendingWrite): void {
    const write = p.write;
    if (this.cache) applyWrite(this.cache, write);
    for (const a of write.deletes) this.supersede(a);
    for (const l of write.puts) this.supersede(l.address);
    this.pending.push(p);
    for (const l of write.puts) this.unsentPuts.set(l.address, p);
    if (this.inFlight) return;
    // Enough queued: no reason to wait out the rest of the commit interval.
    if (this.pending.length === COALESCE_WRITES && this.flushScheduled) {
      this.flushScheduled.cancel();
      this.flushScheduled = null;
    }
    this.scheduleFlush(0);
  }

  /**
   * Drops a queued put of `address` that has not gone to the writer: the write being made
   * replaces the row anyway, and both commit together or not at all. Mostly an OFFER's
   * hold, replaced by the client's REQUEST while it waited: one row write per DORA.
   */
  private supersede(address: string): void {
    const earlier = this.unsentPuts.get(address);
    if (!earlier) return;
    earlier.write.puts = earlier.write.puts.filter((l) => l.address !== address);
    this.unsentPuts.delete(address);
  }

  /** A flush in the check phase (`waitMs` ≤ 0), or after `waitMs`, unless one is scheduled already. */
  private scheduleFlush(waitMs: number): void {
    if (this.flushScheduled) return;
    if (waitMs <= 0) {
      const i = setImmediate(() => this.flush());
      this.flushScheduled = { cancel: () => clearImmediate(i) };
    } else {
      const t = setTimeout(() => this.flush(), waitMs);
      this.flushScheduled = { cancel: () => clearTimeout(t) };
    }
  }

  /** Hands every queued write to the writer as one batch (if none is with it already). */
  private flush(): void {
    this.flushScheduled?.cancel();
    this.flushScheduled = null;
    if (this.inFlight || this.pending.length === 0) return;
    const batch = this.pending.splice(0);
    this.lastFlushAt = performance.now();
    this.unsentPuts.clear();
    this.inFlightWrites = batch;
    const failed = (error: unknown): void => {
      const e = error instanceof Error ? error : new Error(String(error));
      // Unknown whether (or what of it) committed: the copy must come from the file again.
      this.cache = null;
      for (const p of batch) p.reject(e);
    };
    const done = (): void => {
      this.inFlight = null;
      this.inFlightWrites = [];
      // Writes made while this batch was with the writer go next, joined by what this
      // loop turn brings (the datagrams of this poll phase, the callers resumed below).
      // Under load (writes queued meanwhile) the next batch waits out the commit interval.
      if (this.pending.length > 0) this.scheduleFlush(this.pending.length >= COALESCE_WRITES ? 0 : this.lastFlushAt + this.commitIntervalMs - performance.now());
    };
    const noSync = batch.every((p) => p.offer);
    const writes = batch.map((p) => p.write);
    this.inFlight = this.writer.run(encodeBatch(writes, this.cacheGeneration, noSync)).then(
      (result) => {
        done();
        this.settle(batch, result);
      },
      (error: unknown) => {
        done();
        failed(error);
      },
    );
  }

  /** The batch is committed (and synced unless offers alone): answer its callers. */
  private settle(batch: PendingWrite[], result: LeaseBatchResult): void {
    // Someone else wrote leases (or a write failed): read the file again at the next read.
    if (result.external) this.cache = null;
    this.cacheGeneration = result.generation;
    if (result.errors === null) {
      for (const p of batch) p.resolve();
      return;
    }
    const errors = result.errors;
    batch.forEach((p, i) => {
      const error = errors[i];
      if (error === undefined) p.reject(new Error('lease writer gave no outcome'));
      else if (error !== null) p.reject(new Error(error));
      else p.resolve();
    });
  }

  /**
   * The copy of the table, reloaded if another connection changed the leases since it was
   * read. While writes are queued or with the writer, the copy is ahead of the file by
   * exactly those writes, and the writer reports other connections' changes (see the
   * file's comment); a reload then would lose the queued writes, so it waits.
   */
  private table(): LeaseIndex {
    if (this.cache && (this.inFlight || this.pending.length > 0)) return this.cache;
    const version = dataVersion(this.statements.get('PRAGMA data_version').get());
    if (this.cache && version === this.cacheVersion) return this.cache;
    const generation = this.statements.generation();
    if (!this.cache || generation !== this.cacheGeneration) {
      const copy = LeaseIndex.of(this.statements.get(`SELECT ${COLUMNS} FROM leases`).all().map(toLease));
      // Writes not yet committed (or committed just now) go on top, in order: the copy is
      // ahead of the file by exactly those. Putting a committed row again changes nothing.
      for (const p of [...this.inFlightWrites, ...this.pending]) applyWrite(copy, p.write);
      this.cache = copy;
      // With a batch out, its report sets the generation (the file may or may not have it yet).
      if (!this.inFlight) this.cacheGeneration = generation;
    }
    this.cacheVersion = version;
    return this.cache;
  }
}

/** A write's rows, applied to a copy. */
function applyWrite(copy: LeaseIndex, write: LeaseRowWrite): void {
  for (const a of write.deletes) copy.delete(a);
  for (const l of write.puts) copy.put(l);
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
  clusterOnAddress(db);
  db.exec(LEASE_GENERATION_SQL);
  db.exec(UNUSED_INDEXES_SQL);
}

/**
 * Rebuilds migration 1's `leases` as a table clustered on its address, without the UNIQUE
 * index on `client_id`, unless it is already. Migration 1's rowid table kept each row in
 * three B-trees (rowid, address, client_id): a lease write dirtied a page in each, and each
 * dirtied page is a 4 KiB WAL frame at commit. Clustered, one. One row per client is the
 * store's rule, kept by its copy (the file has one writer: see the file's comment), as Kea's
 * memfile keeps it in memory and not in its CSV. Same columns, and `address` is still the
 * conflict target, so an older bootfleet opens the file and writes it unchanged: done where
 * needed, like the two below, rather than by a numbered migration that it would refuse.
 * Its column list is migration 1's: a later migration of `leases` must update it (see
 * `sqlite-migrations.ts`), or the rebuild would drop what that migration added.
 */
function clusterOnAddress(db: Db): void {
  // Checked under the write lock: two processes opening one file at once rebuild it once.
  db.transaction(() => {
    const table = db.prepare("SELECT wr FROM pragma_table_list WHERE schema = 'main' AND name = 'leases'").get();
    if (isRecord(table) && table['wr'] === 0) db.exec(CLUSTERED_LEASES_SQL);
  }).immediate();
}

const CLUSTERED_LEASES_SQL = `
  CREATE TABLE leases_clustered (
    address     TEXT PRIMARY KEY,
    address_num INTEGER NOT NULL,
    client_id   TEXT,
    mac         TEXT,
    state       TEXT NOT NULL CHECK (state IN ('offered', 'bound', 'released', 'expired', 'declined')),
    expires_at  INTEGER NOT NULL,
    hostname    TEXT,
    updated_at  INTEGER NOT NULL
  ) WITHOUT ROWID;
  INSERT INTO leases_clustered (address, address_num, client_id, mac, state, expires_at, hostname, updated_at)
    SELECT address, address_num, client_id, mac, state, expires_at, hostname, updated_at FROM leases;
  DROP TABLE leases;
  ALTER TABLE leases_clustered RENAME TO leases;
`;

/**
 * Migration 1's indexes on `mac` and on held expiry: nothing queries them (lookups by MAC
 * and the expiry sweep read the in-process copy), yet every lease write updated both, and
 * dropping them took the writer thread from ≈ 215 to ≈ 160 µs of CPU per commit of 6 rows
 * (bench host, 1 000 leases). Dropped where present rather than by a numbered migration,
 * like `lease_generation` below: an older bootfleet reads the same file unchanged (it
 * never used them either) instead of refusing a newer schema version.
 */
const UNUSED_INDEXES_SQL = `
  DROP INDEX IF EXISTS leases_mac;
  DROP INDEX IF EXISTS leases_held_expiry;
`;

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

function dataVersion(row: unknown): number {
  const v = isRecord(row) ? row['data_version'] : undefined;
  return typeof v === 'number' ? v : -2;
}
