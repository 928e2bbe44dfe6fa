/**
 * An API server on 127.0.0.1, port 0, over a throwaway SQLite fleet, for tests (the API's
 * own and the CLI's).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BootEvent } from '../events/boot-event.js';
import { SqliteFleetStore } from '../store/fleet-sqlite-store.js';
import type { Lease } from '../store/lease-store.js';
import { ApiServer, type ApiServerOptions } from './api-server.js';
import { EventRing, type StampedEvent } from './event-ring.js';

export const ADMIN_TOKEN = 'admin-token-0123456789abcdef';
export const READ_TOKEN = 'read-token-0123456789abcdef';

export interface TestApi {
  server: ApiServer;
  fleet: SqliteFleetStore;
  ring: EventRing;
  leases: Lease[];
  logged: BootEvent[];
  /** Listeners of the live event stream (`/api/v1/events/stream`): call them to send an event. */
  live: Set<(e: StampedEvent) => void>;
  url: string;
  close(): Promise<void>;
}

/** `extra`: the optional sources (timelines, live events, metrics) a test needs. */
export async function startTestApi(extra: Partial<Pick<ApiServerOptions, 'timelines' | 'metrics'>> = {}): Promise<TestApi> {
  const live = new Set<(e: StampedEvent) => void>();
  const dir = mkdtempSync(join(tmpdir(), 'bootfleet-api-'));
  const fleet = SqliteFleetStore.openDataDir(dir);
  const ring = new EventRing(50);
  const leases: Lease[] = [];
  const logged: BootEvent[] = [];
  const server = new ApiServer({
    address: '127.0.0.1',
    port: 0,
    tokens: [
      { name: 'ops', token: ADMIN_TOKEN, role: 'admin' },
      { name: 'dashboard', token: READ_TOKEN, role: 'read' },
    ],
    log: { emit: (e) => logged.push(e) },
    fleet,
    leases: { list: async () => leases },
    events: ring,
    defaultProfile: 'default',
    subscribe: (l) => {
      live.add(l);
      return () => live.delete(l);
    },
    ...extra,
  });
  await server.start();
  return {
    server,
    fleet,
    ring,
    leases,
    logged,
    live,
    url: `http://127.0.0.1:${server.port}`,
    async close() {
      await server.stop();
      await fleet.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
