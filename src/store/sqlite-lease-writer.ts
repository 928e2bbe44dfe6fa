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
import { SIGHTING_FIELDS, type FlatSightings } from './sqlite-sightings.js';
import { PartialSightingsError } from './fleet-store.js';

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
export type WriterRequest =
  | { kind: 'batch'; id: number; batch: LeaseBatch }
  | { kind: 'sightings'; id: number; sightings: FlatSightings }
  | { kind: 'close' };
/** Messages from it. */
export type WriterReply =
  | { kind: 'done'; id: number; result: LeaseBatchResult }
  | { kind: 'sightings-done'; id: number; discovered: string[] }
  | { kind: 'failed'; id: number; error: string }
  | { kind: 'closed' };

/**
 * Sightings per transaction in the writer thread (≈ 5 µs each): a burst of thousands of new
 * machines is written as chunks sent one after another, so a lease commit (an ACK waiting)
 * queues behind at most one chunk, a few milliseconds, not the whole burst.
 */
const SIGHTINGS_PER_CHUNK = 500;

type Waiter = { resolve: (r: LeaseBatchResult | string[]) => void; reject: (e: Error) => void };

/** A worker thread owning a second connection to `file` (opened after the schema is up to date). */
export class WorkerLeaseWriter implements LeaseWriter {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, Waiter>();
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
    return this.send((id) => ({ kind: 'batch', id, batch })) as Promise<LeaseBatchResult>;
  }

  /** Writes fleet sightings (`sqlite-sightings.ts`) on this thread's connection; resolves with the MACs that were new. */
  async recordSightings(flat: FlatSightings): Promise<string[]> {
    const step = SIGHTINGS_PER_CHUNK * SIGHTING_FIELDS;
    if (flat.length <= step) return (await this.send((id) => ({ kind: 'sightings', id, sightings: flat }))) as string[];
    const discovered: string[] = [];
    for (let i = 0; i < flat.length; i += step) {
      let part: string[];
      try {
        part = (await this.send((id) => ({ kind: 'sightings', id, sightings: flat.slice(i, i + step) }))) as string[];
      } catch (err) {
        // The chunks before this one are committed: their new machines must still be reported.
        if (discovered.length === 0) throw err;
        throw new PartialSightingsError(err instanceof Error ? err.message : String(err), discovered);
      }
      for (const mac of part) discovered.push(mac);
    }
    return discovered;
  }

  private send(request: (id: number) => WriterRequest): Promise<LeaseBatchResult | string[]> {
    if (this.closing) return Promise.reject(new Error('lease store is closed'));
    if (this.broken) return Promise.reject(this.broken);
    const id = this.nextId++;
    return new Promise<LeaseBatchResult | string[]>((resolve, reject) => {
      if (this.waiting.size === 0) this.worker.ref();
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage(request(id));
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
    // Closing keeps it referenced until it exits: close() resolves on its exit, which must come.
    if (this.waiting.size === 0 && this.closing === null) this.worker.unref();
    if (m.kind === 'done') w.resolve(m.result);
    else if (m.kind === 'sightings-done') w.resolve(m.discovered);
    else w.reject(new Error(m.error));
  }

  /** The thread died: nothing it was given can be known committed, so every waiting write fails. */
  private fail(err: Error): void {
    this.broken ??= err;
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }
}
