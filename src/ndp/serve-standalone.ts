/**
 * The router-advertisement responder alone, for namespace tests and debugging.
 *
 *   node dist/ndp/serve-standalone.js --device bf0 [--timing '{"startupQuietMs":500}']
 *
 * stdin: one boot event as JSON a line (e.g. a `dhcp.offer` with `boot: "ipxe-script"`), fed
 * to the responder as if the DHCP server had emitted it. stdout: `event <json>` per event,
 * `ready` once started. SIGTERM/SIGINT stop it.
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type { BootEvent } from '../events/boot-event.js';
import { RaResponder } from './ra-responder.js';
import type { RaTiming } from './ra-timing.js';

function out(line: string): void {
  process.stdout.write(line + '\n');
}

function main(): void {
  const { values } = parseArgs({ options: { device: { type: 'string', multiple: true }, timing: { type: 'string' } } });
  const devices = values.device ?? [];
  if (devices.length === 0) throw new Error('usage: serve-standalone --device <if> [--device <if>…] [--timing <json>]');
  const timing = values.timing !== undefined ? (JSON.parse(values.timing) as Partial<RaTiming>) : {};
  const responder = new RaResponder({ interfaces: devices, events: { emit: (e) => out(`event ${JSON.stringify(e)}`) }, timing });
  responder.start();
  createInterface({ input: process.stdin }).on('line', (line) => {
    try {
      responder.noteEvent(JSON.parse(line) as BootEvent);
    } catch {
      out('bad-input');
    }
  });
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void responder.stop().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  out('ready');
}

try {
  main();
} catch (err) {
  process.stderr.write(`serve-standalone: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
