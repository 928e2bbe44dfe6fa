/**
 * Where the SQLite lease store's writes run. For a file: {@link WorkerLeaseWriter}, a worker
 * thread with its own connection, so each commit's fsync (0.4–1.5 ms on the bench host's
 * disk) and the SQL itself run on the machine's other core while the event loop goes on
 * deciding and answering (libsql is synchronous: on the main thread the fsync blocked the
 * loop, ~28 % of its time at 3 000 DORA/s). For `:memory:` (one connection only):
 * {@link InlineLeaseWriter} on the store's own connection.
 */
import { Worker } from 'node:worker_threads';
import { runLeaseBatch, type LeaseBatch, type LeaseBatchResult } from './sqlite-lease-batch.js';
import type { StatementCache } from './sqlite-lease-rows.js';

/** Runs batches one after another; each resolves once committed (and synced, unless offers alone). */
export interface LeaseWriter {
  run(batch: LeaseBatch): Promise<LeaseBatchResult>;
  /** Ends the writer after the batches already handed over. */
  close(): Promise<void>;
}

/** On the caller's thread and connection, at once. */
export class InlineLeaseWriter implements LeaseWriter {
  constructor(private readonly db: StatementCache) {}

  run(batch: LeaseBatch): Promise<LeaseBatchResult> {
    try {
      return Promise.resolve(runLeaseBatch(this.db, batch));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  async close(): Promise<void> {}
}

/** Messages to the worker (`sqlite-lease-write-worker.ts`). */
export type WriterRequest = { kind: 'batch'; id: number; batch: LeaseBatch } | { kind: 'close' };
/** Messages from it. */
export type WriterReply = { kind: 'done'; id: number; result: LeaseBatchResult } | { kind: 'failed'; id: number; error: string } | { kind: 'closed' };

/** A worker thread owning a second connection to `file` (opened after the schema is up to date). */
export class WorkerLeaseWriter implements LeaseWriter {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve: (r: LeaseBatchResult) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private broken: Error | null = null;
  private closing: Promise<void> | null = null;

  constructor(file: string) {
    this.worker = new Worker(new URL('./sqlite-lease-write-worker.js', import.meta.url), { workerData: { file } });
    this.worker.on('message', (m: WriterReply) => this.reply(m));
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => this.fail(new Error(`lease writer thread exited (${code})`)));
    // An idle writer does not keep the process alive (a CLI command that opened the store
    // and is done must exit); one with a batch does, so the batch is not lost.
    this.worker.unref();
  }

  run(batch: LeaseBatch): Promise<LeaseBatchResult> {
    if (this.broken) return Promise.reject(this.broken);
    if (this.closing) return Promise.reject(new Error('lease store is closed'));
    const id = this.nextId++;
    return new Promise<LeaseBatchResult>((resolve, reject) => {
      if (this.waiting.size === 0) this.worker.ref();
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ kind: 'batch', id, batch } satisfies WriterRequest);
    });
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.worker.ref();
      this.worker.once('exit', () => resolve());
      if (this.broken) return void this.worker.terminate();
      this.worker.postMessage({ kind: 'close' } satisfies WriterRequest);
    });
    return this.closing;
  }

  private reply(m: WriterReply): void {
    if (m.kind === 'closed') return;
    const w = this.waiting.get(m.id);
    if (!w) return;
    this.waiting.delete(m.id);
    if (this.waiting.size === 0) this.worker.unref();
    if (m.kind === 'done') w.resolve(m.result);
    else w.reject(new Error(m.error));
  }

  /** The thread died: nothing it was given can be known committed, so every waiting write fails. */
  private fail(err: Error): void {
    this.broken ??= err;
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }
}
