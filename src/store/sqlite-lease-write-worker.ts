/**
 * The lease writer thread (see `sqlite-lease-writer.ts`): its own connection to the file,
 * WAL with `synchronous=FULL` like every connection (`sqlite-open.ts`), running the batches
 * it is sent in order and answering each once its commit returned, i.e. once it is on disk.
 * It also writes the fleet's sightings (`sqlite-sightings.ts`), so that registering new
 * machines by the thousand stays off the event loop too. The schema is the main thread's
 * business: it migrated the file (both stores) before this is sent anything.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openSqlite, WRITER_AUTOCHECKPOINT_PAGES } from './sqlite-open.js';
import { runLeaseBatch } from './sqlite-lease-batch.js';
import { StatementCache } from './sqlite-lease-rows.js';
import type { WriterReply, WriterRequest } from './sqlite-lease-writer.js';
import { writeSightings } from './sqlite-sightings.js';
import { StatementCache as FleetStatements } from './sqlite-statements.js';

const port = parentPort;
const file = (workerData as { file?: unknown } | null)?.file;
if (port === null || typeof file !== 'string') throw new Error('sqlite-lease-write-worker runs as a worker thread with workerData.file');

// This connection does the WAL checkpoints (see sqlite-open.ts), off the event loop.
const db = openSqlite(file, () => {}, { autocheckpointPages: WRITER_AUTOCHECKPOINT_PAGES });
const statements = new StatementCache(db);
const fleetStatements = new FleetStatements(db);

port.on('message', (m: WriterRequest) => {
  if (m.kind === 'close') {
    db.close();
    port.postMessage({ kind: 'closed' } satisfies WriterReply);
    port.close();
    return;
  }
  try {
    if (m.kind === 'sightings') {
      port.postMessage({ kind: 'sightings-done', id: m.id, discovered: writeSightings(db, fleetStatements, m.sightings) } satisfies WriterReply);
      return;
    }
    port.postMessage({ kind: 'done', id: m.id, result: runLeaseBatch(statements, m.batch) } satisfies WriterReply);
  } catch (err) {
    port.postMessage({ kind: 'failed', id: m.id, error: err instanceof Error ? err.message : String(err) } satisfies WriterReply);
  }
});
