/**
 * An event's time as text (ISO 8601, UTC), made from its milliseconds only when someone reads it:
 * the log line, the API. The event path itself carries the number. Events come thousands a second
 * under load, most in a millisecond already made, so the last text is kept.
 */
import type { BootEvent } from './boot-event.js';

/** An event with its time as text: a log line, an API answer. */
export type TimedEvent = BootEvent & { time: string };

let lastMs = -1;
let lastText = '';

/** `ms` since the epoch as `2026-11-25T03:46:36.123Z`. */
export function eventTimeText(ms: number): string {
  if (ms !== lastMs) {
    lastMs = ms;
    lastText = new Date(ms).toISOString();
  }
  return lastText;
}

/** The event with its time as text, first (the order of a log line's fields). A new object: the event is not changed. */
export function timed(e: BootEvent, ms: number): TimedEvent {
  return { time: eventTimeText(ms), ...e };
}

/**
 * A kept event as read: one pushed with its time text (a captured timeline, a test) as it came,
 * one kept as emitted with the text of `ms`.
 */
export function asTimed(e: BootEvent, ms: number): TimedEvent {
  return typeof (e as Partial<TimedEvent>).time === 'string' ? (e as TimedEvent) : timed(e, ms);
}
