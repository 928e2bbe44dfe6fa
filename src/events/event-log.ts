import type { BootEvent, EventLevel, EventSink } from './boot-event.js';
import { timed, type TimedEvent } from './event-time.js';

const rank: Record<EventLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface EventLogOptions {
  /** Lowest level written. */
  level: EventLevel;
  /** `json` writes one JSON object a line (for machines); `text` a readable line (for people). */
  format: 'json' | 'text';
  write: (line: string) => void;
}

/**
 * Gets each event as emitted, and its time as milliseconds since the epoch. The event is the
 * emitter's own object, not a stamped copy: a listener may keep it (emitters never change an
 * event once emitted) and makes its time text only when read (`event-time.ts`). A copy per
 * event, kept by the timelines, was a visible part of the DHCP server's GC work.
 */
export type EventListener = (e: BootEvent, ms: number) => void;

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
  constructor(private readonly opts: EventLogOptions) {}

  emit(event: BootEvent): void {
    this.counts.set(event.kind, (this.counts.get(event.kind) ?? 0) + 1);
    const ms = Date.now();
    const listeners = this.listeners;
    for (let i = 0; i < listeners.length; i++) (listeners[i] as EventListener)(event, ms);
    if (rank[event.level] < rank[this.opts.level]) return;
    const stamped = timed(event, ms);
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

function formatText(e: TimedEvent): string {
  const extra = e.data
    ? Object.entries(e.data)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(' ')
    : '';
  return `${e.time.slice(11, 23)} ${e.level.padEnd(5)} ${e.kind.padEnd(14)} ${e.mac ?? '-'.padEnd(17)} ${e.msg}${extra ? ' ' + extra : ''}`;
}
