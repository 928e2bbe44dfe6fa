/**
 * Runs tasks concurrently across keys and one at a time, in arrival order, per key. The DHCP
 * server keys requests by client (`client-key.ts`): a client's REQUEST is never handled
 * before its DISCOVER finished, while other clients' requests proceed, so the lease store's
 * group commit has many claims to batch.
 *
 * Every DHCP request passes here, so a task costs one record and one `then` on its own
 * Promise: no chain of Promises per key, no Set of running tasks.
 */
interface Job {
  key: string;
  task: () => Promise<void>;
  onError: (err: unknown) => void;
}

export class KeyedQueue {
  /** Per busy key, the tasks waiting behind the one running (often none). */
  private readonly waiting = new Map<string, Job[] | null>();
  private count = 0;
  private drained: (() => void)[] = [];

  /** Tasks queued or running. */
  get size(): number {
    return this.count;
  }

  /**
   * Queues `task` behind the tasks already queued for `key`; starts it now when none are. A
   * task's failure goes to `onError` and does not stop the tasks after it.
   */
  push(key: string, task: () => Promise<void>, onError: (err: unknown) => void): void {
    this.count++;
    const job: Job = { key, task, onError };
    if (!this.waiting.has(key)) {
      this.waiting.set(key, null);
      this.start(job);
      return;
    }
    const queue = this.waiting.get(key);
    if (queue) queue.push(job);
    else this.waiting.set(key, [job]);
  }

  /** Resolves when every task queued so far has finished. */
  drain(): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => this.drained.push(resolve));
  }

  private start(job: Job): void {
    let run: Promise<void>;
    try {
      run = job.task();
    } catch (err) {
      run = Promise.reject(err);
    }
    run.then(
      () => this.finish(job),
      (err: unknown) => {
        try {
          job.onError(err);
        } catch {
          // onError is where failures are reported; one that fails itself has nowhere left to go.
        }
        this.finish(job);
      },
    );
  }

  private finish(job: Job): void {
    this.count--;
    const queue = this.waiting.get(job.key);
    const next = queue?.shift();
    if (next !== undefined) this.start(next);
    else this.waiting.delete(job.key);
    if (this.count === 0 && this.drained.length > 0) {
      const waiters = this.drained;
      this.drained = [];
      for (const resolve of waiters) resolve();
    }
  }
}
