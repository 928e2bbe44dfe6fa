/**
 * The DHCP server for `pipeline.net.test.ts`: like `serve-standalone.ts`, plus the knobs that
 * test needs — the request deadline, a lease store whose reads are slowed down so that a
 * client's requests queue behind each other, a lease writer whose synced batches report
 * late (`--sync-delay-ms`: the disk is slow), and a crash right after the Nth ACK leaves
 * (`--kill-after-acks`: SIGKILL to itself, nothing flushed or closed).
 *
 *   node dist/dhcp/pipeline-lab-server.js --config '<json>' [--deadline-ms N] [--store-delay-ms N]
 *     [--sync-delay-ms N] [--kill-after-acks N]
 *
 * stdout: `ready`, `event <json>` for releases and drops, `stats <json>` on
 * SIGUSR2. SIGTERM stops the server and closes the store.
 */
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { configSchema } from '../config/schema.js';
import type { BootEvent } from '../events/boot-event.js';
import type { LeaseStore } from '../store/lease-store.js';
import type { LeaseView } from '../store/lease-index.js';
import { SqliteLeaseStore } from '../store/sqlite-lease-store.js';
import type { LeaseWriter } from '../store/sqlite-lease-writer.js';
import { UdpEndpoint } from '../transport/udp-endpoint.js';
import { decodeDhcp } from '../wire/dhcp/codec.js';
import { getMessageType } from '../wire/dhcp/options.js';
import { MessageType } from '../wire/dhcp/packet.js';
import { interfaceIpv4 } from '../transport/interfaces.js';
import { DhcpServer, type DhcpServerInterface } from './server.js';

/** Only what the test reads: a full pipe would block the server while the test waits for its client. */
const SHOWN = new Set(['dhcp.release', 'dhcp.drop']);

function out(line: string): void {
  process.stdout.write(line + '\n');
}

/**
 * `store` with `view()` answering `delayMs` late and no `viewNow()` or `holdNow()` to go around
 * it. Everything else is the store's own method called on the store itself (a wrapper made with
 * Object.create would keep whatever state the methods set on the wrapper, apart from the store's).
 */
function slowed(store: LeaseStore, delayMs: number): LeaseStore {
  const view = async (): Promise<LeaseView> => {
    await sleep(delayMs);
    return store.view();
  };
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'view') return view;
      if (prop === 'viewNow' || prop === 'holdNow') return undefined;
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** `writer` with the report of each synced batch held back `delayMs` (committed, but the store hears late). */
function lateSync(writer: LeaseWriter, delayMs: number): LeaseWriter {
  return {
    run: async (batch) => {
      const result = await writer.run(batch);
      if (!batch.noSync) await sleep(delayMs);
      return result;
    },
    close: () => writer.close(),
  };
}

/** Kills the process (SIGKILL: no flush, no close) as soon as the `count`th ACK was handed to the kernel. */
function killAfterAcks(count: number): void {
  let acks = 0;
  const post = UdpEndpoint.prototype.post;
  UdpEndpoint.prototype.post = function (this: UdpEndpoint, data: Buffer, port: number, address: string, done: (err: Error | null) => void): void {
    post.call(this, data, port, address, (err) => {
      done(err);
      const d = decodeDhcp(data);
      if (err === null && d.ok && getMessageType(d.packet) === MessageType.Ack && ++acks >= count) process.kill(process.pid, 'SIGKILL');
    });
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      config: { type: 'string' },
      'deadline-ms': { type: 'string' },
      'store-delay-ms': { type: 'string' },
      'sync-delay-ms': { type: 'string' },
      'kill-after-acks': { type: 'string' },
    },
  });
  if (values.config === undefined) throw new Error('usage: pipeline-lab-server --config <json> [--deadline-ms N] [--store-delay-ms N] [--sync-delay-ms N] [--kill-after-acks N]');
  const config = configSchema.parse(JSON.parse(values.config));
  const interfaces: DhcpServerInterface[] = config.interfaces.map((i) => ({ mode: i.mode, ...interfaceIpv4(i.name) }));
  const syncDelay = Number(values['sync-delay-ms'] ?? 0);
  const store = SqliteLeaseStore.openDataDir(config.dataDir, syncDelay > 0 ? { wrapWriter: (w) => lateSync(w, syncDelay) } : {});
  if (values['kill-after-acks'] !== undefined) killAfterAcks(Number(values['kill-after-acks']));
  const delay = Number(values['store-delay-ms'] ?? 0);
  const server = new DhcpServer({
    config,
    store: delay > 0 ? slowed(store, delay) : store,
    events: { emit: (e: BootEvent) => SHOWN.has(e.kind) && out(`event ${JSON.stringify(e)}`) },
    interfaces,
    ...(values['deadline-ms'] !== undefined ? { deadlineMs: Number(values['deadline-ms']) } : {}),
  });
  await server.start();
  process.on('SIGUSR2', () => out(`stats ${JSON.stringify(server.stats)}`));
  process.on('SIGTERM', () => {
    void server
      .stop()
      .then(() => store.close())
      .then(() => process.exit(0));
  });
  out('ready');
}

main().catch((err: unknown) => {
  process.stderr.write(`pipeline-lab-server: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
