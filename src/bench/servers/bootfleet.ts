/**
 * bootfleet under test: the real `bootfleet serve` (the same CLI users run), with a YAML
 * config written for the lane, its durable SQLite lease store on a real disk (never tmpfs:
 * the fsync is part of what is measured) and logging at `warn`, as quiet as the peers.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import type { Netns } from '../../lab/netns.js';
import { waitForOutput } from '../../lab/wait-output.js';
import { LANE, poolEnd } from '../lane.js';
import { asRunning, startLogged, type RunningServer } from './running-server.js';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../cli/main.js');

export interface BootfleetBenchOptions {
  ns: Netns;
  /** Config, log and (unless `dataDir`) lease database go here. */
  dir: string;
  /** Lease database directory: must be on a real disk for the DHCP figures to mean anything. */
  dataDir: string;
  /** Files served by TFTP and HTTP. */
  filesDir: string;
  /** DHCP pool size in 198.19.0.0/16 (0: no pool). */
  poolSize: number;
  cpu?: string;
  /** Extra node flags, e.g. `--cpu-prof --cpu-prof-dir=…`. */
  nodeFlags?: string[];
}

/** The profile the rendered `/boot.ipxe` comes from: like a real one, a kernel, an initrd and a command line. */
export const BENCH_PROFILE = {
  kernel: 'vmlinuz',
  initrd: ['initrd.img'],
  cmdline: 'console=ttyS0 bootfleet.bench=1 ip=dhcp quiet',
};

export async function startBootfleet(opts: BootfleetBenchOptions): Promise<RunningServer> {
  mkdirSync(opts.dir, { recursive: true });
  mkdirSync(opts.dataDir, { recursive: true });
  const config = {
    dataDir: opts.dataDir,
    log: { level: 'warn', format: 'text' },
    interfaces: [{ name: LANE.serverIf, mode: 'full' }],
    dhcp: {
      authoritative: true,
      subnets:
        opts.poolSize > 0 ? [{ subnet: LANE.relayNet, leaseTime: 3600, pools: [{ start: LANE.poolStart, end: poolEnd(opts.poolSize) }] }] : [],
    },
    tftp: { root: opts.filesDir, ipxeDir: '/usr/lib/ipxe' },
    http: { port: 8080, root: opts.filesDir },
    profiles: { default: BENCH_PROFILE },
    api: { enabled: false },
  };
  const configPath = path.join(opts.dir, 'bootfleet.yaml');
  writeFileSync(configPath, stringify(config));
  const logFile = path.join(opts.dir, 'bootfleet.log');
  const child = startLogged(opts.ns, process.execPath, [...(opts.nodeFlags ?? []), CLI, 'serve', '-c', configPath], logFile, {
    ...(opts.cpu !== undefined ? { cpu: opts.cpu } : {}),
    cwd: opts.dir,
  });
  let gone = false;
  child.once('exit', () => (gone = true));
  const server = asRunning(opts.ns, 'bootfleet', child, logFile);
  try {
    await waitForOutput(logFile, /^bootfleet: ready$/m, 20_000, () => gone, 'bootfleet');
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}
