import type { BootEvent, EventLevel, EventSink } from './boot-event.js';

const rank: Record<EventLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface EventLogOptions {
  /** Lowest level written. */
  level: EventLevel;
  /** `json` writes one JSON object a line (for machines); `text` a readable line (for people). */
  format: 'json' | 'text';
  write: (line: string) => void;
}

/**
 * Writes events as lines and keeps counters per kind, so tests and `/metrics` can read
 * how many packets were served or dropped without parsing logs.
 */
export class EventLog implements EventSink {
  readonly counts = new Map<string, number>();
  private readonly listeners = new Set<(e: BootEvent & { time: string }) => void>();

  constructor(private readonly opts: EventLogOptions) {}

  emit(event: BootEvent): void {
    this.counts.set(event.kind, (this.counts.get(event.kind) ?? 0) + 1);
    const stamped = { time: new Date().toISOString(), ...event };
    for (const l of this.listeners) l(stamped);
    if (rank[event.level] < rank[this.opts.level]) return;
    this.opts.write(this.opts.format === 'json' ? JSON.stringify(stamped) : formatText(stamped));
  }

  count(kind: string): number {
    return this.counts.get(kind) ?? 0;
  }

  subscribe(listener: (e: BootEvent & { time: string }) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
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
