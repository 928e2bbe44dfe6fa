import type { BootEvent, EventLevel, EventSink } from './boot-event.js';

const rank: Record<EventLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface EventLogOptions {
  /** Lowest level written. */
  level: EventLevel;
  /** `json` writes one JSON object a line (for machines); `text` a readable line (for people). */
  format: 'json' | 'text';
  write: (line: string) => void;
}

/** Gets each event as stamped, and its time as milliseconds since the epoch (no parsing back). */
export type EventListener = (e: BootEvent & { time: string }, ms: number) => void;

/**
 * Writes events as lines and keeps counters per kind, so tests and `/metrics` can read
 * how many packets were served or dropped without parsing logs.
 */
export class EventLog implements EventSink {
  readonly counts = new Map<string, number>();
  /**
   * Replaced, never changed in place, on (un)subscribe: emit walks it as an array, with no Set
   * iterator per event. So a listener removed during an emit still gets that event, and one
   * subscribed twice is called twice.
   */
  private listeners: readonly EventListener[] = [];
  /** The last stamp made: events come thousands a second under load, most in a millisecond already stamped. */
  private stampMs = -1;
  private stampText = '';

  constructor(private readonly opts: EventLogOptions) {}

  emit(event: BootEvent): void {
    this.counts.set(event.kind, (this.counts.get(event.kind) ?? 0) + 1);
    const ms = Date.now();
    if (ms !== this.stampMs) {
      this.stampMs = ms;
      this.stampText = new Date(ms).toISOString();
    }
    const stamped = { time: this.stampText, ...event };
    const listeners = this.listeners;
    for (let i = 0; i < listeners.length; i++) (listeners[i] as EventListener)(stamped, ms);
    if (rank[event.level] < rank[this.opts.level]) return;
    this.opts.write(this.opts.format === 'json' ? JSON.stringify(stamped) : formatText(stamped));
  }

  count(kind: string): number {
    return this.counts.get(kind) ?? 0;
  }

  subscribe(listener: EventListener): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }
}

function formatText(e: BootEvent & { time: string }): string {
  const extra = e.data
    ? Object.entries(e.data)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(' ')
    : '';
  return `${e.time.slice(11, 23)} ${e.level.padEnd(5)} ${e.kind.padEnd(14)} ${e.mac ?? '-'.padEnd(17)} ${e.msg}${extra ? ' ' + extra : ''}`;
}
