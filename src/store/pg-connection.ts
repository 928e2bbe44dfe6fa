/**
 * What the PostgreSQL stores share: opening a connection pool from a `postgres://` URL with
 * the session settings a DHCP server needs, transactions that are retried when PostgreSQL
 * says "try again", and schema migrations.
 */
import pg from 'pg';

export type PgPool = pg.Pool;
export type PgClient = pg.PoolClient;

export interface PgPoolOptions {
  /** Connections kept at most (default 4). The DHCP server handles requests one at a time. */
  max?: number;
  /** Called when an idle connection fails (the server restarted, …); the pool reconnects on next use. */
  onError?: (err: Error) => void;
  /** Shown in `pg_stat_activity`. */
  applicationName?: string;
}

/** True for `postgres://` and `postgresql://` URLs: the config's `store:` values that select PostgreSQL. */
export function isPostgresUrl(s: string): boolean {
  return /^postgres(ql)?:\/\//i.test(s);
}

/**
 * A pool for `url`. Every session gets timeouts, so a stalled peer (another bootfleet
 * holding a row lock, then cut off) cannot stall DHCP for long: a wait for a lock ends
 * after 5 s, and a session left idle inside a transaction is ended by the server after
 * 15 s, releasing its locks. A session whose `synchronous_commit` is `off` is set to `on`:
 * a COMMIT must be on disk before the ACK leaves (RFC 2131 §4.3.1: leases survive restarts).
 */
export function openPgPool(url: string, opts: PgPoolOptions = {}): PgPool {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 4,
    application_name: opts.applicationName ?? 'bootfleet',
    lock_timeout: 5000,
    statement_timeout: 15_000,
    idle_in_transaction_session_timeout: 15_000,
    connectionTimeoutMillis: 10_000,
  });
  pool.on('connect', (client) => {
    client.query(`SELECT set_config('synchronous_commit', 'on', false) WHERE current_setting('synchronous_commit') = 'off'`).catch(() => {
      /* the connection's own error surfaces on its next query */
    });
  });
  pool.on('error', (err) => opts.onError?.(err));
  return pool;
}

/** SQLSTATEs after which the same transaction may simply be run again. */
const RETRYABLE = new Set([
  '23505', // unique_violation: another server inserted the same address or client first
  '40001', // serialization_failure
  '40P01', // deadlock_detected: two claims locked two rows in opposite order
]);

/** The SQLSTATE of a PostgreSQL error, if it is one. */
export function sqlState(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

export function isRetryable(err: unknown): boolean {
  const code = sqlState(err);
  return code !== undefined && RETRYABLE.has(code);
}

/**
 * Runs `fn` inside BEGIN … COMMIT (READ COMMITTED) on one connection of the pool. When
 * PostgreSQL ends it with a retryable error, the whole transaction is rolled back and run
 * again from the start with fresh reads, up to `attempts` times, with a short random
 * pause so two servers that collided do not collide again in step.
 */
export async function inTransaction<T>(pool: PgPool, fn: (client: PgClient) => Promise<T>, attempts = 8): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
      if (attempt >= attempts || !isRetryable(err)) throw err;
    } finally {
      client.release(broken);
    }
    await new Promise((r) => setTimeout(r, Math.random() * 2 * attempt));
  }
}

/** One step of a schema, never edited once shipped: add the next one. */
export interface PgMigration {
  version: number;
  description: string;
  sql: string;
}

/** Any constant: the advisory lock that makes two servers starting together migrate one after the other. */
const MIGRATION_LOCK = 0x62667400;

/**
 * Brings one part of the schema (its own version table, like SQLite's) up to date, in one
 * transaction under an advisory lock: a second bootfleet starting at the same moment waits,
 * then finds the work done. Refuses a database from a newer bootfleet.
 */
export async function migratePg(pool: PgPool, versionTable: string, migrations: readonly PgMigration[], what: string): Promise<number> {
  const newest = migrations.reduce((m, x) => Math.max(m, x.version), 0);
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS ${versionTable} (version INTEGER NOT NULL, applied_at BIGINT NOT NULL)`);
    const have = await currentPgVersion(client, versionTable);
    if (have > newest) throw new Error(`${what} schema version ${have} is newer than this bootfleet understands (${newest})`);
    for (const m of migrations) {
      if (m.version <= have) continue;
      await client.query(m.sql);
      await client.query(`INSERT INTO ${versionTable} (version, applied_at) VALUES ($1, $2)`, [m.version, Date.now()]);
    }
    return Math.max(have, newest);
  }, 3);
}

export async function currentPgVersion(client: PgClient | PgPool, versionTable: string): Promise<number> {
  const r = await client.query<{ v: number | null }>(`SELECT MAX(version) AS v FROM ${versionTable}`);
  return r.rows[0]?.v ?? 0;
}
