/**
 * The doctor's reading of a real boot in an end-to-end test. With
 * `BOOTFLEET_SAVE_TIMELINES=DIR` the timeline is also written to DIR/<name>.json: that is how
 * test/vectors/timelines/ was captured (the doctor's unit tests read those files).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { diagnose, type Diagnosis } from '../doctor/diagnose.js';
import type { EventRecord } from '../events/boot-event.js';

export function doctorOn(mac: string, timeline: readonly EventRecord[], name: string): Diagnosis {
  const out = process.env['BOOTFLEET_SAVE_TIMELINES'];
  if (out) writeFileSync(path.join(out, `${name}.json`), JSON.stringify({ mac, events: timeline }, null, 1) + '\n');
  return diagnose(mac, timeline);
}
