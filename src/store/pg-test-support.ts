/**
 * Shared by the PostgreSQL test files: whether they can run here, and one throwaway
 * cluster per test file, started on first use and stopped by the file's `after` hook.
 */
import { after } from 'node:test';
import { PgTestCluster } from './pg-test-cluster.js';

/**
 * Why the PostgreSQL tests skip here, or null when they run. They run as root (the test
 * script runs `*.net.test.js` as root, and as root the server runs as the `postgres` user).
 */
export function pgSkipReason(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (scripts/test.sh runs *.net.test.js as root; the cluster runs as the postgres user)';
  return PgTestCluster.unavailableReason();
}

/**
 * Call at a test file's top level: registers the file's `after` hook there and returns the
 * function that gives the file's one cluster, started on first use.
 */
export function clusterForThisFile(): () => Promise<PgTestCluster> {
  let cluster: Promise<PgTestCluster> | null = null;
  after(async () => {
    if (cluster) await (await cluster).stop();
  });
  return () => (cluster ??= PgTestCluster.start());
}

/** What the store contracts need to make a store, and to close one and open its database again. */
export interface ReopeningFactory<S> {
  create(): Promise<S>;
  reopen(store: S): Promise<S>;
}

/**
 * A contract factory over `cluster`: every `create` opens a fresh database named after
 * `prefix`; `reopen` closes a store and opens the same database again (data survives a restart).
 */
export function freshDatabaseFactory<S extends { close(): Promise<void> }>(
  cluster: () => Promise<PgTestCluster>,
  prefix: string,
  open: (url: string) => Promise<S>,
): ReopeningFactory<S> {
  const urlOf = new Map<S, string>();
  const openAt = async (url: string): Promise<S> => {
    const s = await open(url);
    urlOf.set(s, url);
    return s;
  };
  return {
    async create() {
      return openAt((await cluster()).createDatabase(prefix));
    },
    async reopen(store) {
      const url = urlOf.get(store);
      if (url === undefined) throw new Error('reopen: this store was not made by this factory');
      await store.close();
      return openAt(url);
    },
  };
}
