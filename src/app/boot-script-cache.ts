/**
 * Rendered `/boot.ipxe` scripts, so a machine (or a fleet) fetching its script again costs a
 * map lookup instead of three fleet-store queries and a template render.
 *
 * An entry answers only while nothing it was made from can have changed:
 * - the fleet store's write generation is the one read before the entry was made
 *   (counting-fleet-store.ts: any write in this process, sightings included, moves it);
 * - `boot.defaultProfile` (changed by a config reload) is the same;
 * - it is younger than `maxAgeMs`, which bounds how long a write this process cannot count
 *   (another server on a shared PostgreSQL, a hand edit of the SQLite file) goes unseen.
 * The key holds every other input of the render: MAC, client address, server address.
 */
import type { BootEvent } from '../events/boot-event.js';

export interface CachedBootScript {
  response: { status: number; contentType: string; body: string };
  /** The `http.script` event the render emitted, emitted again for each answer from the cache. */
  event: BootEvent;
  /** It holds the machine's install token (only ever given to the machine itself, `boot-content.ts`). */
  carriesToken: boolean;
}

interface Entry {
  script: CachedBootScript;
  generation: number;
  defaultProfile: string;
  madeAt: number;
}

export interface BootScriptCacheOptions {
  /** Entries kept; the oldest made go first. Default 10 000 (one per machine of a large fleet). */
  maxEntries?: number;
  /** Default 1000 ms. */
  maxAgeMs?: number;
  now?: () => number;
}

export class BootScriptCache {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly maxAgeMs: number;
  private readonly now: () => number;

  constructor(opts: BootScriptCacheOptions = {}) {
    this.maxEntries = opts.maxEntries ?? 10_000;
    this.maxAgeMs = opts.maxAgeMs ?? 1000;
    this.now = opts.now ?? Date.now;
  }

  static key(mac: string, clientIp: string, serverAddress: string): string {
    return `${mac} ${clientIp} ${serverAddress}`;
  }

  /** The script for `key` if it is still current, else undefined (and the stale entry is gone). */
  get(key: string, generation: number, defaultProfile: string): CachedBootScript | undefined {
    const e = this.entries.get(key);
    if (e === undefined) return undefined;
    if (e.generation !== generation || e.defaultProfile !== defaultProfile || this.now() - e.madeAt > this.maxAgeMs) {
      this.entries.delete(key);
      return undefined;
    }
    return e.script;
  }

  /** `generation` must be the one read before the fleet was read for this script. */
  set(key: string, script: CachedBootScript, generation: number, defaultProfile: string): void {
    // Re-inserted so Map order is the order entries were made: the first is the oldest.
    this.entries.delete(key);
    this.entries.set(key, { script, generation, defaultProfile, madeAt: this.now() });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
