/**
 * kea-dhcp4 under test: memfile leases (its fastest backend) with the lease file on tmpfs,
 * a UDP socket (relayed traffic only), logging at WARN. Kea 2.2's defaults otherwise
 * (single-threaded). Its pid and lock files go to the run's directory, never /run.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Netns } from '../../lab/netns.js';
import { LANE, poolEnd } from '../lane.js';
import { asRunning, startLogged, waitListening, type RunningServer } from './running-server.js';

/** The memfile's name inside `leaseDir` (a preload writes it before the start). */
export const KEA_LEASE_FILE = 'kea-leases4.csv';

export interface KeaBenchOptions {
  ns: Netns;
  dir: string;
  leaseDir: string;
  poolSize: number;
  cpu?: string;
}

export async function startKea(opts: KeaBenchOptions): Promise<RunningServer> {
  const logFile = path.join(opts.dir, 'kea.log');
  const config = {
    Dhcp4: {
      'interfaces-config': { interfaces: [LANE.serverIf], 'dhcp-socket-type': 'udp' },
      'lease-database': { type: 'memfile', persist: true, name: path.join(opts.leaseDir, KEA_LEASE_FILE), 'lfc-interval': 0 },
      'valid-lifetime': 3600,
      authoritative: true,
      subnet4: [{ id: 1, subnet: LANE.relayNet, pools: [{ pool: `${LANE.poolStart} - ${poolEnd(opts.poolSize)}` }] }],
      loggers: [{ name: 'kea-dhcp4', output_options: [{ output: logFile }], severity: 'WARN' }],
    },
  };
  const configPath = path.join(opts.dir, 'kea-dhcp4.json');
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  const env = { ...process.env, KEA_PIDFILE_DIR: opts.dir, KEA_LOCKFILE_DIR: opts.dir, KEA_LOGGER_DESTINATION: logFile };
  const child = startLogged(opts.ns, 'kea-dhcp4', ['-c', configPath], path.join(opts.dir, 'kea.out'), {
    env,
    ...(opts.cpu !== undefined ? { cpu: opts.cpu } : {}),
  });
  const server = asRunning(opts.ns, 'kea', child, logFile);
  try {
    await waitListening(opts.ns, child, [{ proto: 'udp', port: 67 }], path.join(opts.dir, 'kea.out'), 'kea-dhcp4');
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}
