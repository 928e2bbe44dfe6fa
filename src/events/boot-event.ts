/**
 * One step of a machine's boot, as a structured event. Every DHCP, TFTP and HTTP step
 * emits one carrying the MAC when it is known, so one machine's boot reads as a
 * timeline (filter by `mac`).
 */
export type EventLevel = 'debug' | 'info' | 'warn' | 'error';

export interface BootEvent {
  /** Dotted area and step, e.g. `dhcp.offer`, `tftp.done`, `http.get`, `dhcp.drop`. */
  kind: string;
  level: EventLevel;
  /** Lower-case, colon-separated MAC of the machine this concerns, when known. */
  mac?: string;
  /** Short human sentence; details go in `data`. */
  msg: string;
  data?: Record<string, string | number | boolean | null | undefined>;
}

/**
 * An event as read back from a JSON log line (`log.format: json`) or the API: the same fields,
 * values untyped. The doctor and the test harness read events in this shape.
 */
export interface EventRecord {
  time: string;
  kind: string;
  level: string;
  mac?: string;
  msg: string;
  data?: Record<string, unknown>;
}

export interface EventSink {
  /** The sink may keep `event` (the timelines do): the emitter hands it over and never changes it afterwards. */
  emit(event: BootEvent): void;
}

/** A sink that drops everything: for tests and for code paths with no logger attached. */
export const nullSink: EventSink = { emit() {} };
