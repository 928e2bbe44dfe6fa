/**
 * The DHCP server alone, for integration tests and debugging: builds the config, a
 * SqliteLeaseStore and a DhcpServer, and talks over stdio in lines.
 *
 *   node dist/dhcp/serve-standalone.js --config '<config as JSON>'
 *
 * stdout: `event <json>` per boot event, `ready` once every socket is bound,
 * `stats <json>` on SIGUSR2 (with `conflicts`: the conflict detector's counters, when on).
 * `--preprobe <n>`: addresses pre-probed per subnet by conflict detection (0: recheck on offer only). SIGTERM/SIGINT stop the server and close the store.
 * Interface addresses are looked up in the current network namespace.
 */
import { parseArgs } from 'node:util';
import { configSchema } from '../config/schema.js';
import type { BootEvent } from '../events/boot-event.js';
import { SqliteLeaseStore } from '../store/sqlite-lease-store.js';
import { interfaceIpv4 } from '../transport/interfaces.js';
import { ConflictDetector } from './conflict-detector.js';
import { interfaceMac } from './rogue-probe.js';
import { DhcpServer, type DhcpServerInterface } from './server.js';

function out(line: string): void {
  process.stdout.write(line + '\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      config: { type: 'string' },
      'offer-hold': { type: 'string' },
      preprobe: { type: 'string' },
    },
  });
  if (values.config === undefined) throw new Error('usage: serve-standalone --config <json> [--offer-hold <seconds>]');
  const parsed = configSchema.safeParse(JSON.parse(values.config));
  if (!parsed.success) throw new Error(`bad config: ${parsed.error.message}`);
  const config = parsed.data;

  const interfaces: DhcpServerInterface[] = config.interfaces.map((i) => {
    const found = i.mode === 'off' ? { address: '0.0.0.0', netmask: '0.0.0.0' } : interfaceIpv4(i.name);
    const entry: DhcpServerInterface = { name: i.name, mode: i.mode, address: found.address, netmask: found.netmask };
    if (i.serverAddress !== undefined) entry.serverAddress = i.serverAddress;
    return entry;
  });
  const store = SqliteLeaseStore.openDataDir(config.dataDir);
  const events = { emit: (e: BootEvent) => out(`event ${JSON.stringify(e)}`) };
  const full = interfaces.filter((i) => i.mode === 'full');
  const conflicts = config.dhcp.conflictDetection
    ? new ConflictDetector({
        config,
        store,
        events,
        interfaces: full.flatMap((i) => {
          const mac = interfaceMac(i.name);
          return mac === null ? [] : [{ name: i.name, address: i.address, netmask: i.netmask, mac }];
        }),
        localAddresses: full.map((i) => i.address),
        ...(values.preprobe !== undefined ? { preprobeCount: Number(values.preprobe) } : {}),
      })
    : null;
  conflicts?.start();
  const server = new DhcpServer({
    config,
    store,
    events,
    interfaces,
    ...(values['offer-hold'] !== undefined ? { offerHoldSeconds: Number(values['offer-hold']) } : {}),
    ...(conflicts !== null ? { conflictGuard: conflicts } : {}),
  });
  await server.start();

  process.on('SIGUSR2', () => out(`stats ${JSON.stringify({ ...server.stats, ...(conflicts ? { conflicts: conflicts.stats } : {}) })}`));
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void server
      .stop()
      .then(() => conflicts?.stop())
      .then(() => store.close())
      .then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  out('ready');
}

main().catch((err: unknown) => {
  process.stderr.write(`serve-standalone: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
