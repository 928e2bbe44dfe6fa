/**
 * Fans boot events out to the live streams (`GET /api/v1/events/stream`) off the hot path: the
 * event source is listened to only while a stream is open; each event is serialized once, queued
 * per stream, and written on the next loop turn (`setImmediate`), never inside the DHCP or TFTP
 * code that emitted it. Streams are capped in all and per caller, so one token cannot take them all.
 */
import type { StampedEvent } from './event-ring.js';

export interface LiveStreamFilter {
  mac?: string;
  /** Debug events (every dropped or ignored packet) only when asked for. */
  debug: boolean;
}

export type Subscribe = (listener: (e: StampedEvent) => void) => () => void;

interface Stream {
  caller: string;
  filter: LiveStreamFilter;
  send: (event: string, data: string) => boolean;
  queue: string[];
}

export class LiveEventHub {
  private readonly streams = new Set<Stream>();
  private unsubscribe: (() => void) | null = null;
  private flushing = false;

  constructor(
    private readonly subscribe: Subscribe,
    readonly maxStreams = 32,
    readonly maxPerCaller = 4,
  ) {}

  /** Why a new stream for `caller` cannot open now, or null when it can. */
  refusal(caller: string): string | null {
    if (this.streams.size >= this.maxStreams) return `${this.maxStreams} live event streams are open already`;
    let mine = 0;
    for (const s of this.streams) if (s.caller === caller) mine++;
    return mine >= this.maxPerCaller ? `token ${caller} has ${this.maxPerCaller} live event streams open already` : null;
  }

  /** Adds a stream; returns what removes it. */
  open(caller: string, filter: LiveStreamFilter, send: (event: string, data: string) => boolean): () => void {
    const stream: Stream = { caller, filter, send, queue: [] };
    this.streams.add(stream);
    this.unsubscribe ??= this.subscribe((e) => this.onEvent(e));
    return () => this.close(stream);
  }

  get size(): number {
    return this.streams.size;
  }

  private close(stream: Stream): void {
    if (!this.streams.delete(stream)) return;
    if (this.streams.size === 0) {
      this.unsubscribe?.();
      this.unsubscribe = null;
    }
  }

  private onEvent(e: StampedEvent): void {
    // The API's own requests would feed the stream with its own reading of it.
    if (e.kind.startsWith('api.')) return;
    let json: string | null = null;
    for (const s of this.streams) {
      if ((e.level === 'debug' && !s.filter.debug) || (s.filter.mac !== undefined && e.mac !== s.filter.mac)) continue;
      json ??= JSON.stringify(e);
      s.queue.push(json);
    }
    if (json !== null && !this.flushing) {
      this.flushing = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushing = false;
    for (const s of [...this.streams]) {
      const queue = s.queue;
      s.queue = [];
      for (const data of queue) {
        if (!s.send('boot', data)) {
          this.close(s);
          break;
        }
      }
    }
  }
}
