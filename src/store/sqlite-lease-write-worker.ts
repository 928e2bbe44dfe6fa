/**
 * The lease writer thread (see `sqlite-lease-writer.ts`): its own connection to the file,
 * WAL with `synchronous=FULL` like every connection (`sqlite-open.ts`), running the batches
 * it is sent in order and answering each once its commit returned, i.e. once it is on disk.
 * The schema is the main thread's business: it migrated the file before starting this.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openSqlite, WRITER_AUTOCHECKPOINT_PAGES } from './sqlite-open.js';
import { runLeaseBatch } from './sqlite-lease-batch.js';
import { StatementCache } from './sqlite-lease-rows.js';
import type { WriterReply, WriterRequest } from './sqlite-lease-writer.js';

const port = parentPort;
const file = (workerData as { file?: unknown } | null)?.file;
if (port === null || typeof file !== 'string') throw new Error('sqlite-lease-write-worker runs as a worker thread with workerData.file');

// This connection does the WAL checkpoints (see sqlite-open.ts), off the event loop.
const db = openSqlite(file, () => {}, { autocheckpointPages: WRITER_AUTOCHECKPOINT_PAGES });
const statements = new StatementCache(db);

port.on('message', (m: WriterRequest) => {
  if (m.kind === 'close') {
    db.close();
    port.postMessage({ kind: 'closed' } satisfies WriterReply);
    port.close();
    return;
  }
  try {
    port.postMessage({ kind: 'done', id: m.id, result: runLeaseBatch(statements, m.batch) } satisfies WriterReply);
  } catch (err) {
    port.postMessage({ kind: 'failed', id: m.id, error: err instanceof Error ? err.message : String(err) } satisfies WriterReply);
  }
});
