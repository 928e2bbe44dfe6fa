/**
 * Runs tasks concurrently across keys and one at a time, in arrival order, per key. The DHCP
 * server keys requests by client (`client-key.ts`): a client's REQUEST is never handled
 * before its DISCOVER finished, while other clients' requests proceed, so the lease store's
 * group commit has many claims to batch.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly running = new Set<Promise<void>>();

  /** Tasks queued or running. */
  get size(): number {
    return this.running.size;
  }

  /**
   * Queues `task` behind the tasks already queued for `key`. A task's failure goes to
   * `onError` and does not stop the tasks after it.
   */
  push(key: string, task: () => Promise<void>, onError: (err: unknown) => void): void {
    const before = this.tails.get(key) ?? Promise.resolve();
    const run = before.then(task).catch(onError);
    this.tails.set(key, run);
    this.running.add(run);
    void run.finally(() => {
      this.running.delete(run);
      if (this.tails.get(key) === run) this.tails.delete(key);
    });
  }

  /** Resolves when every task queued so far has finished. */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}
