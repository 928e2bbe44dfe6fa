/**
 * Runs one TftpServer from command-line flags: for the lab tests (which start it inside
 * a network namespace) and for benchmarks. Prints `ready {"address":…,"port":…}` once
 * listening, events as `event {json}` lines, and `stats {json}` whenever a `stats` line
 * arrives on stdin. Ends cleanly on SIGTERM, SIGINT or a `stop` line.
 *
 *   node dist/tftp/serve-standalone.js --address 198.18.69.1 --port 69 --root ./tftp \
 *     [--extra-dir /usr/lib/ipxe] [--max-blksize 65464] [--max-windowsize 16] \
 *     [--timeout 2] [--retries 5] [--max-transfers-per-client 64] [--transfer-threads 2] \
 *     [--log-level info] [--hooks ./hooks.mjs]
 *
 * `--hooks` names an ES module that may export `virtualFile(name, clientIp)` and
 * `macFor(clientIp)` (see TftpServerOptions), to try out generated files.
 */
import path from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { EventLevel } from '../events/boot-event.js';
import { EventLog } from '../events/event-log.js';
import { TftpServer, type TftpServerOptions } from './server.js';

const { values } = parseArgs({
  options: {
    address: { type: 'string', default: '0.0.0.0' },
    port: { type: 'string', default: '69' },
    root: { type: 'string', default: '.' },
    'extra-dir': { type: 'string', multiple: true, default: [] },
    'max-blksize': { type: 'string', default: '65464' },
    'max-windowsize': { type: 'string', default: '16' },
    timeout: { type: 'string', default: '2' },
    retries: { type: 'string', default: '5' },
    'max-transfers-per-client': { type: 'string', default: '64' },
    'transfer-threads': { type: 'string', default: '2' },
    'log-level': { type: 'string', default: 'info' },
    hooks: { type: 'string' },
  },
});

function int(name: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`--${name}: expected a whole number, got ${String(value)}\n`);
    process.exit(2);
  }
  return n;
}

type Hooks = Pick<TftpServerOptions, 'virtualFile' | 'macFor'>;
const hooks: Hooks = values.hooks ? ((await import(pathToFileURL(path.resolve(values.hooks)).href)) as Hooks) : {};

const level = values['log-level'] as EventLevel;
const events = new EventLog({ level, format: 'json', write: (line) => process.stdout.write(`event ${line}\n`) });
const server = new TftpServer({
  address: values.address ?? '0.0.0.0',
  port: int('port', values.port),
  root: values.root ?? '.',
  extraDirs: values['extra-dir'] ?? [],
  maxBlksize: int('max-blksize', values['max-blksize']),
  maxWindowsize: int('max-windowsize', values['max-windowsize']),
  timeoutSec: int('timeout', values.timeout),
  retries: int('retries', values.retries),
  maxTransfersPerClient: int('max-transfers-per-client', values['max-transfers-per-client']),
  transferThreads: int('transfer-threads', values['transfer-threads']),
  events,
  virtualFile: hooks.virtualFile,
  macFor: hooks.macFor,
});

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await server.stop();
  process.stdout.write(`stats ${JSON.stringify(server.stats)}\n`);
  process.exit(0);
}

await server.start();
process.stdout.write(`ready ${JSON.stringify({ address: values.address, port: server.port })}\n`);
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
createInterface({ input: process.stdin }).on('line', (line) => {
  const cmd = line.trim();
  if (cmd === 'stats') process.stdout.write(`stats ${JSON.stringify(server.stats)}\n`);
  else if (cmd === 'stop') void shutdown();
});
