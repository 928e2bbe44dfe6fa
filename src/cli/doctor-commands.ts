/**
 * `bootfleet doctor MAC` and `bootfleet timeline MAC`: why a machine did not boot, and its
 * boot steps, from a running server's API — or, with `--log FILE`, from a JSON event log
 * (`log.format: json`) when the server is not running or its API is off.
 * Exit status of doctor: 0 the last boot got as far as bootfleet can see, 3 it stopped
 * somewhere (scripts can tell), 1 unreachable or unreadable, 2 bad usage.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { z } from 'zod';
import { doctorOut, eventOut } from '../api/api-schemas.js';
import { diagnose, type Diagnosis, type DoctorEvent } from '../doctor/diagnose.js';
import { ApiClient, ApiRequestError, apiTarget } from './api-client.js';

interface DoctorFlags {
  api?: string;
  token?: string;
  json?: boolean;
  log?: string;
  follow?: boolean;
}

const MAC = /^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$/i;
const normalMac = (mac: string): string => mac.toLowerCase().replace(/-/g, ':');

/**
 * The events about `mac` in a JSON-lines log, read line by line (a log can be larger than a
 * string may be); other lines (start-up text, other machines) are skipped before parsing.
 */
export async function eventsFromLog(input: NodeJS.ReadableStream, mac: string): Promise<DoctorEvent[]> {
  const out: DoctorEvent[] = [];
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    if (!line.startsWith('{') || !line.includes(mac)) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      continue;
    }
    const e = eventOut.safeParse(parsed);
    if (e.success && e.data.mac === mac) out.push(e.data);
  }
  return out;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The diagnosis as people read it. */
export function formatDiagnosis(d: Diagnosis): string {
  const lines = [`${d.mac}: ${d.ok ? 'OK' : 'STOPPED'} at ${d.stage} — ${d.summary}`];
  if (d.hint !== null) lines.push(`  check: ${d.hint}`);
  if (d.steps.length > 0) {
    lines.push('  last attempt:');
    for (const s of d.steps) lines.push(`    ${s.time.replace('T', ' ').slice(0, 23)} ${s.ok ? ' ' : '!'} ${s.kind.padEnd(16)} ${s.says}`);
  }
  return lines.join('\n');
}

async function timelineFrom(flags: DoctorFlags, mac: string): Promise<DoctorEvent[]> {
  if (flags.log !== undefined) return eventsFromLog(flags.log === '-' ? process.stdin : createReadStream(flags.log), mac);
  return z.array(eventOut).parse(await new ApiClient(apiTarget(flags)).get(`/machines/${mac}/timeline`));
}

async function guarded(body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof ApiRequestError || err instanceof z.ZodError || (err instanceof Error && 'code' in err)) {
      process.stderr.write(`bootfleet: ${err instanceof z.ZodError ? 'the API answered with something this CLI does not understand' : err.message}\n`);
      return 1;
    }
    throw err;
  }
}

function withFlags(cmd: Command): Command {
  return cmd
    .argument('<mac>', "the machine's MAC address")
    .option('--api <url>', 'the bootfleet API (default: $BOOTFLEET_API, else http://127.0.0.1:8081)')
    .option('--token <token>', 'bearer token (default: $BOOTFLEET_TOKEN)')
    .option('--log <file>', 'read a JSON event log (log.format: json) instead of asking the API; - for stdin')
    .option('--json', 'print JSON', false);
}

/** Runs `body` for a well-formed MAC (normalized), else says why and exits 2. */
function forMac(body: (mac: string, flags: DoctorFlags) => Promise<number>): (mac: string, flags: DoctorFlags) => Promise<void> {
  return async (mac, flags) => {
    if (!MAC.test(mac)) {
      process.stderr.write(`bootfleet: "${mac}" is not a MAC address like 52:54:00:12:34:56\n`);
      process.exitCode = 2;
      return;
    }
    process.exitCode = await guarded(() => body(normalMac(mac), flags));
  };
}

export function registerDoctorCommands(program: Command): void {
  withFlags(program.command('doctor').description("Why a machine did not boot: walks its last boot attempt (DHCP, boot file, iPXE, script, kernel) and names the first step that broke."))
    .action(
      forMac(async (mac, flags) => {
        // From the API the server diagnoses (its clock); from a log, this machine does.
        const d = flags.log === undefined ? doctorOut.parse(await new ApiClient(apiTarget(flags)).get(`/machines/${mac}/doctor`)) : diagnose(mac, await timelineFrom(flags, mac));
        process.stdout.write((flags.json === true ? JSON.stringify(d, null, 2) : formatDiagnosis(d)) + '\n');
        return d.ok ? 0 : 3;
      }),
    );
  withFlags(program.command('timeline').description("A machine's boot events, oldest first (the server keeps each machine's last 200)."))
    .option('-f, --follow', 'then print its events as they happen, until interrupted', false)
    .action(
      forMac(async (mac, flags) => {
        const line = (e: DoctorEvent): string => (flags.json === true ? JSON.stringify(e) : `${e.time.replace('T', ' ').slice(0, 23)} ${e.level.padEnd(5)} ${e.kind.padEnd(16)} ${e.msg}`);
        if (flags.follow === true && flags.log === undefined) {
          // The stream opens first, so nothing that happens while the past is read is lost; what
          // both carry is printed once.
          const live = new ApiClient(apiTarget(flags)).stream(`/events/stream?mac=${mac}`);
          const first = live.next();
          const past = await timelineFrom(flags, mac);
          const printed = new Set(past.map((e) => JSON.stringify(e)));
          for (const e of past) process.stdout.write(line(e) + '\n');
          for (let next = await first; next.done !== true; next = await live.next()) {
            const e = eventOut.safeParse(parseJson(next.value.data));
            if (!e.success || printed.delete(JSON.stringify(e.data))) continue;
            process.stdout.write(line(e.data) + '\n');
          }
          return 0;
        }
        const events = await timelineFrom(flags, mac);
        if (flags.json === true) process.stdout.write(JSON.stringify(events, null, 2) + '\n');
        else if (events.length === 0) process.stdout.write(`no events for ${mac}\n`);
        else for (const e of events) process.stdout.write(line(e) + '\n');
        return 0;
      }),
    );
}
