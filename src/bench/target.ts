import type { Lane } from './lane.js';
import type { RunningServer } from './servers/running-server.js';

/** A server under test in its lane: what each benchmark alternates over. */
export interface Target {
  name: string;
  lane: Lane;
  server: RunningServer;
}
