/**
 * Leases in PostgreSQL (`store: postgres://…`), for several bootfleet servers sharing one
 * lease space. Same interface and contract as the embedded SQLite store.
 *
 * Allocation (docs/adr/0006-postgres-allocation.md). Two servers hear the same broadcast
 * DISCOVER and may pick the same address for two different clients at the same moment.
 * What keeps them apart is the database, not a protocol between the servers:
 * - the table's PRIMARY KEY on `address` (one row per address) and UNIQUE `client_id`
 *   (one row per client) make a double allocation impossible to store at all;
 * - `claim` is one READ COMMITTED transaction that first locks the address's row
 *   (`SELECT … FOR UPDATE`), so a second claimer of the same address waits for the first
 *   to commit and then sees its row, and decides with the same rule as SQLite (`isHeld`);
 * - when the row does not exist yet there is nothing to lock: both claimers INSERT, the
 *   primary key lets one through and fails the other with a unique violation, and the
 *   loser's transaction is run again from the start (now finding the row, and the holder);
 *   the same retry covers the client-key constraint and deadlocks (`pg-connection.ts`).
 * Row locks rather than SERIALIZABLE: claims of different addresses never wait for or
 * abort each other, whereas SERIALIZABLE's predicate locks (page-grained on the index
 * under load) fail unrelated claims and make every caller retry.
 *
 * Every write has committed, with `synchronous_commit` on, when its Promise resolves: the
 * DHCP server sends an ACK only after that. Reads go to the database each time (no copy in
 * process: other servers write too).
 */
import { isHeld, zeroLeaseCounts, type ClaimRequest, type ClaimResult, type Lease, type LeaseCounts, type LeaseState, type LeaseStore } from './lease-store.js';
import { LeaseIndex, type LeaseView } from './lease-index.js';
import { currentPgVersion, inTransaction, migratePg, openPgPool, type PgClient, type PgPool, type PgPoolOptions } from './pg-connection.js';
import { pgLeaseMigrations } from './pg-migrations.js';

const STATES: readonly LeaseState[] = ['offered', 'bound', 'released', 'expired', 'declined'];
/**
 * `host(address)`: the address as dotted-quad text, whatever the column's display form. The
 * alias hides the inet column from ORDER BY, so ordering names `leases.address` (numeric).
 */
const COLUMNS = 'host(address) AS address, client_id, mac, state, expires_at, hostname, updated_at';

export class PgLeaseStore implements LeaseStore {
  private closed = false;

  private constructor(private readonly pool: PgPool) {}

  /** Connects to `url` and brings the lease tables up to date (creating them on first use). */
  static async open(url: string, opts: PgPoolOptions = {}): Promise<PgLeaseStore> {
    const pool = openPgPool(url, { applicationName: 'bootfleet leases', ...opts });
    try {
      await migratePg(pool, 'schema_version', pgLeaseMigrations, 'lease database');
    } catch (err) {
      await pool.end();
      throw err;
    }
    return new PgLeaseStore(pool);
  }

  /** Version of the lease schema in the database, for `bootfleet doctor`. */
  async schemaVersion(): Promise<number> {
    return currentPgVersion(this.pool, 'schema_version');
  }

  async getByClient(clientId: string): Promise<Lease | null> {
    const r = await this.pool.query({ name: 'lease-by-client', text: `SELECT ${COLUMNS} FROM leases WHERE client_id = $1`, values: [clientId] });
    return r.rows[0] === undefined ? null : toLease(r.rows[0]);
  }

  async getByAddress(address: string): Promise<Lease | null> {
    const r = await this.pool.query({ name: 'lease-by-address', text: `SELECT ${COLUMNS} FROM leases WHERE address = $1`, values: [address] });
    return r.rows[0] === undefined ? null : toLease(r.rows[0]);
  }

  async list(): Promise<Lease[]> {
    const r = await this.pool.query({ name: 'lease-list', text: `SELECT ${COLUMNS} FROM leases ORDER BY leases.address` });
    return r.rows.map(toLease);
  }

  /** One GROUP BY in the database: a scrape never ships the rows. */
  async countByState(now: number): Promise<LeaseCounts> {
    const r = await this.pool.query({
      name: 'lease-count-by-state',
      text: `SELECT CASE WHEN state IN ('offered', 'bound', 'declined') AND expires_at <= $1 THEN 'expired' ELSE state END AS state,
                    count(*)::integer AS n
               FROM leases GROUP BY 1`,
      values: [now],
    });
    const counts = zeroLeaseCounts();
    for (const row of r.rows as { state: unknown; n: unknown }[]) {
      const state = STATES.find((s) => s === row.state);
      if (state !== undefined) counts[state] += Number(row.n);
    }
    return counts;
  }

  /** Built from `list()` each time: other servers write too, so there is no copy to keep. */
  async view(): Promise<LeaseView> {
    return LeaseIndex.of(await this.list());
  }

  claim(req: ClaimRequest): Promise<ClaimResult> {
    return inTransaction(this.pool, (client) => claimRow(client, req));
  }

  async release(clientId: string, address: string, now: number): Promise<boolean> {
    const r = await this.pool.query({
      name: 'lease-release',
      text: `UPDATE leases SET state = 'released', expires_at = $1, updated_at = $1
               WHERE address = $2 AND client_id = $3 AND state IN ('offered', 'bound')`,
      values: [now, address, clientId],
    });
    return (r.rowCount ?? 0) > 0;
  }

  async cancelOffer(clientId: string, address: string, now: number): Promise<boolean> {
    const r = await this.pool.query({
      name: 'lease-cancel-offer',
      text: `UPDATE leases SET state = 'released', expires_at = $1, updated_at = $1
               WHERE address = $2 AND client_id = $3 AND state = 'offered'`,
      values: [now, address, clientId],
    });
    return (r.rowCount ?? 0) > 0;
  }

  async decline(clientId: string, address: string, until: number, now: number): Promise<boolean> {
    const r = await this.pool.query({
      name: 'lease-decline',
      text: `UPDATE leases SET state = 'declined', client_id = NULL, expires_at = $1, hostname = NULL, updated_at = $2
               WHERE address = $3 AND client_id = $4`,
      values: [until, now, address, clientId],
    });
    return (r.rowCount ?? 0) > 0;
  }

  async markConflict(address: string, mac: string, until: number, now: number): Promise<boolean> {
    // ON CONFLICT … WHERE: a held bound lease stays (rowCount 0); a missing row is inserted.
    const r = await this.pool.query({
      name: 'lease-mark-conflict',
      text: `INSERT INTO leases (address, client_id, mac, state, expires_at, hostname, updated_at)
               VALUES ($1, NULL, $2, 'declined', $3, NULL, $4)
             ON CONFLICT (address) DO UPDATE SET client_id = NULL, mac = EXCLUDED.mac, state = 'declined',
               expires_at = EXCLUDED.expires_at, hostname = NULL, updated_at = EXCLUDED.updated_at
             WHERE NOT (leases.state = 'bound' AND leases.expires_at > $4)`,
      values: [address, mac, until, now],
    });
    return (r.rowCount ?? 0) > 0;
  }

  /**
   * Several servers sweep the same table: the due rows are locked first, and a server that
   * waited on another's lock sees them no longer due (READ COMMITTED re-checks the WHERE on
   * the row it waited for), so each change is reported by exactly one server.
   */
  expire(now: number): Promise<Lease[]> {
    return inTransaction(this.pool, async (client) => {
      const due = (
        await client.query({
          name: 'lease-due',
          text: `SELECT ${COLUMNS} FROM leases WHERE state IN ('offered', 'bound', 'declined') AND expires_at <= $1 ORDER BY leases.address FOR UPDATE`,
          values: [now],
        })
      ).rows.map(toLease);
      if (due.length === 0) return due;
      const addresses = due.map((l) => l.address);
      await client.query({ name: 'lease-expire-declined', text: `DELETE FROM leases WHERE address = ANY($1::inet[]) AND state = 'declined'`, values: [addresses] });
      await client.query({
        name: 'lease-expire-held',
        text: `UPDATE leases SET state = 'expired', updated_at = $1 WHERE address = ANY($2::inet[]) AND state IN ('offered', 'bound')`,
        values: [now, addresses],
      });
      return due;
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

/** One claim inside its transaction: lock, decide, write. Throws (and is retried) on a constraint race. */
async function claimRow(client: PgClient, req: ClaimRequest): Promise<ClaimResult> {
  const locked = await client.query({ name: 'lease-lock', text: `SELECT ${COLUMNS} FROM leases WHERE address = $1 FOR UPDATE`, values: [req.address] });
  const current = locked.rows[0] === undefined ? null : toLease(locked.rows[0]);
  if (current && current.clientId !== req.clientId && isHeld(current, req.now)) {
    return { ok: false, reason: current.state === 'declined' ? 'declined' : 'held', holder: current };
  }
  // One lease per client: its row for any other address goes.
  await client.query({ name: 'lease-drop-client', text: 'DELETE FROM leases WHERE client_id = $1 AND address <> $2', values: [req.clientId, req.address] });
  const keepBound = req.state === 'offered' && current?.clientId === req.clientId && current.state === 'bound' && isHeld(current, req.now);
  const state = keepBound ? 'bound' : req.state;
  const expiresAt = keepBound && current ? current.expiresAt : req.expiresAt;
  const values = [req.address, req.clientId, req.mac, state, expiresAt, req.hostname, req.now];
  if (current) {
    await client.query({
      name: 'lease-update',
      text: `UPDATE leases SET client_id = $2, mac = $3, state = $4, expires_at = $5, hostname = $6, updated_at = $7 WHERE address = $1`,
      values,
    });
  } else {
    // No row to lock: a plain INSERT, so a concurrent claimer's row fails us on the primary
    // key (and the transaction is retried) instead of being overwritten.
    await client.query({
      name: 'lease-insert',
      text: `INSERT INTO leases (address, client_id, mac, state, expires_at, hostname, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      values,
    });
  }
  return { ok: true, lease: { address: req.address, clientId: req.clientId, mac: req.mac, state, expiresAt, hostname: req.hostname, updatedAt: req.now } };
}

function toLease(row: unknown): Lease {
  if (typeof row !== 'object' || row === null) throw new Error('lease row is not an object');
  const r = row as Record<string, unknown>;
  const address = text(r['address'], 'address');
  const state = STATES.find((s) => s === r['state']);
  if (!state) throw new Error(`lease row for ${address} has unknown state ${String(r['state'])}`);
  return {
    address,
    clientId: textOrNull(r['client_id']),
    mac: textOrNull(r['mac']),
    state,
    // bigint columns arrive as text (they may exceed 2^53; milliseconds since the epoch do not).
    expiresAt: Number(r['expires_at']),
    hostname: textOrNull(r['hostname']),
    updatedAt: Number(r['updated_at']),
  };
}

function text(v: unknown, what: string): string {
  if (typeof v !== 'string') throw new Error(`lease row: ${what} is not text`);
  return v;
}

function textOrNull(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}
