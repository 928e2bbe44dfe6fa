/**
 * Fleet sightings written to SQLite: the one statement-level job both the fleet store (on its
 * own connection, for `:memory:` and read-write CLI use) and the writer thread
 * (`sqlite-lease-write-worker.ts`, for a served file) run. Under a DHCP load of new machines
 * (60 000 clients) this was ≈ 10 % of the event loop's time when it ran there.
 *
 * A batch crosses to the thread as one flat array, {@link SIGHTING_FIELDS} values per
 * sighting: structured clone writes an object's every property name, a flat array of
 * primitives only the values (see `sqlite-lease-batch.ts`).
 */
import type { Sighting } from '../fleet/machine.js';
import type { SqliteDb } from './sqlite-open.js';
import type { StatementCache } from './sqlite-statements.js';

/**
 * A sighting merged into its machine's row: a new MAC becomes a `discovered` machine
 * (`discoveredMachine`), a known one changes as `applySighting` says — facts only from a
 * sighting at least as new as the last, a name only where there was none, times that never
 * run backwards. In DO UPDATE a bare column is the row's value before this statement, and
 * `excluded` the row being inserted (each row of a multi-row VALUES in turn, so a MAC twice
 * in one statement merges as two statements would).
 */
const SIGHTING_CONFLICT = `ON CONFLICT (mac) DO UPDATE SET
    uuid = CASE WHEN (last_seen IS NULL OR excluded.last_seen >= last_seen) AND excluded.uuid IS NOT NULL THEN excluded.uuid ELSE uuid END,
    arch = CASE WHEN (last_seen IS NULL OR excluded.last_seen >= last_seen) AND excluded.arch IS NOT NULL THEN excluded.arch ELSE arch END,
    firmware = CASE WHEN (last_seen IS NULL OR excluded.last_seen >= last_seen) AND excluded.firmware IS NOT NULL THEN excluded.firmware ELSE firmware END,
    last_ip = CASE WHEN (last_seen IS NULL OR excluded.last_seen >= last_seen) AND excluded.last_ip IS NOT NULL THEN excluded.last_ip ELSE last_ip END,
    hostname = COALESCE(hostname, excluded.hostname),
    first_seen = CASE WHEN first_seen IS NULL THEN excluded.first_seen ELSE MIN(first_seen, excluded.first_seen) END,
    last_seen = CASE WHEN last_seen IS NULL THEN excluded.last_seen ELSE MAX(last_seen, excluded.last_seen) END,
    updated_at = MAX(updated_at, excluded.updated_at)`;

/**
 * Sightings per upsert statement. libsql's cost per statement call (argument conversion,
 * locks, allocation) was two thirds of a sighting's ≈ 11 µs one row at a time.
 */
const ROWS_PER_UPSERT = 64;

/** SQL texts by row count, made once each (the statement cache is keyed by the text). */
const upsertTexts: string[] = [];

/** The upsert of `rows` sightings; parameters per row: mac, uuid, hostname, arch, firmware, at, ip. */
function upsertSql(rows: number): string {
  return (upsertTexts[rows] ??= makeUpsertSql(rows));
}

function makeUpsertSql(rows: number): string {
  const values: string[] = [];
  for (let r = 0; r < rows; r++) {
    const p = (n: number): string => `?${r * SIGHTING_FIELDS + n}`;
    values.push(`(${p(1)}, ${p(2)}, ${p(3)}, '{}', ${p(4)}, ${p(5)}, ${p(6)}, ${p(6)}, ${p(7)}, 'discovered', NULL, 'dhcp', ${p(6)})`);
  }
  return `INSERT INTO fleet_machines (mac, uuid, hostname, labels, arch, firmware, first_seen, last_seen, last_ip, state, profile, source, updated_at)
  VALUES ${values.join(',\n    ')}
  ${SIGHTING_CONFLICT}`;
}

/** MACs asked about per existence query (SQLite allows 32 766 parameters; a batch is ≤ 10 000 MACs). */
const EXISTS_CHUNK = 256;

/** Values per sighting in a {@link FlatSightings}, in the upsert's parameter order. */
export const SIGHTING_FIELDS = 7;

/** Sightings as `[mac, uuid, hostname, arch, firmware, at, ip]` repeated, nulls for what is unknown. */
export type FlatSightings = (string | number | null)[];

/**
 * Where sightings are written instead of this connection: the lease store's writer thread
 * (`SqliteLeaseStore.sightingWriter`), so registering thousands of new machines a second
 * runs off the event loop and its transactions queue behind the lease commits in one place
 * rather than contending with them for the file's write lock.
 */
export type SightingWriter = (flat: FlatSightings) => Promise<string[]>;

export function flattenSightings(sightings: readonly Sighting[]): FlatSightings {
  const flat: FlatSightings = new Array<string | number | null>(sightings.length * SIGHTING_FIELDS);
  let i = 0;
  for (const s of sightings) {
    flat[i++] = s.mac;
    flat[i++] = s.uuid ?? null;
    flat[i++] = s.hostname ?? null;
    flat[i++] = s.arch ?? null;
    flat[i++] = s.firmware ?? null;
    flat[i++] = s.at;
    flat[i++] = s.ip ?? null;
  }
  return flat;
}

/**
 * Writes the sightings in one transaction and returns the MACs that had no row (new machines).
 * Committed without its own fsync (`synchronous=NORMAL` for this commit only): a sighting is a
 * note that a machine was seen, not a promise to a client, and the WAL it lands in is fsynced
 * by the next lease commit anyway. A power cut can lose the last moments of sightings; the
 * machine's next DHCP request records it again. Every other write stays FULL. SQLite refuses
 * to change the safety level inside a transaction, so it is set around one; the transaction
 * runs synchronously, so FULL is back before any other write on this connection starts.
 */
export function writeSightings(db: SqliteDb, statements: StatementCache, flat: FlatSightings): string[] {
  statements.get('PRAGMA synchronous = NORMAL').run();
  try {
    return db.transaction(() => upsertAll(statements, flat)).immediate();
  } finally {
    statements.get('PRAGMA synchronous = FULL').run();
  }
}

/**
 * Which exist is one query per chunk, and the sightings are merged by SQL (`upsertSql`, up to
 * ROWS_PER_UPSERT a statement) instead of a row read, parsed, rebuilt and written back.
 */
function upsertAll(statements: StatementCache, flat: FlatSightings): string[] {
  const macs: string[] = [];
  for (let i = 0; i < flat.length; i += SIGHTING_FIELDS) macs.push(String(flat[i]));
  const known = existingMacs(statements, macs);
  const discovered: string[] = [];
  for (const mac of macs) {
    if (!known.has(mac)) {
      discovered.push(mac);
      known.add(mac);
    }
  }
  const step = ROWS_PER_UPSERT * SIGHTING_FIELDS;
  for (let i = 0; i < flat.length; i += step) {
    const part = flat.slice(i, i + step);
    statements.get(upsertSql(part.length / SIGHTING_FIELDS)).run(...part);
  }
  return discovered;
}

/** Which of `macs` have a row, in chunks of EXISTS_CHUNK (the rest of a chunk padded with NULL, which matches nothing). */
function existingMacs(statements: StatementCache, macs: readonly string[]): Set<string> {
  const found = new Set<string>();
  const query = statements.get(`SELECT mac FROM fleet_machines WHERE mac IN (${new Array(EXISTS_CHUNK).fill('?').join(', ')})`);
  for (let i = 0; i < macs.length; i += EXISTS_CHUNK) {
    const chunk: (string | null)[] = macs.slice(i, i + EXISTS_CHUNK);
    while (chunk.length < EXISTS_CHUNK) chunk.push(null);
    for (const row of query.all(...chunk)) {
      const mac = (row as { mac?: unknown }).mac;
      if (typeof mac === 'string') found.add(mac);
    }
  }
  return found;
}
