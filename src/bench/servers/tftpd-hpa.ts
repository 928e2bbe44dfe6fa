/**
 * tftpd-hpa under test: `in.tftpd` run directly in the foreground inside the lane (the
 * Debian service is never started on the host), bound to the lane's server address.
 */
import path from 'node:path';
import type { Netns } from '../../lab/netns.js';
import { LANE } from '../lane.js';
import { asRunning, startLogged, waitListening, type RunningServer } from './running-server.js';

export interface TftpdHpaBenchOptions {
  ns: Netns;
  dir: string;
  root: string;
  cpu?: string;
}

export async function startTftpdHpa(opts: TftpdHpaBenchOptions): Promise<RunningServer> {
  const logFile = path.join(opts.dir, 'tftpd-hpa.log');
  const args = ['--foreground', '--address', `${LANE.serverAddr}:69`, '--user', 'root', '--secure', '--blocksize', '65464', opts.root];
  const child = startLogged(opts.ns, 'in.tftpd', args, logFile, opts.cpu !== undefined ? { cpu: opts.cpu } : {});
  const server = asRunning(opts.ns, 'tftpd-hpa', child, logFile);
  try {
    await waitListening(opts.ns, child, [{ proto: 'udp', port: 69 }], logFile, 'in.tftpd');
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}
