/**
 * atftpd under test: the standalone server (`--daemon --no-fork`) in the foreground inside
 * the lane (the Debian service is never started on the host), bound to the lane's server
 * address only. It is the one peer that speaks RFC 7440 windowsize, which issue 6's
 * windowed-TFTP target names. Its thread limit (default 100, one thread per transfer) is
 * raised above the benchmark's 100 concurrent clients so the figure measures atftpd and
 * not its default; its per-transfer log lines are off (errors only), as tftpd-hpa's are by
 * default and bootfleet's at `warn`.
 */
import path from 'node:path';
import type { Netns } from '../../lab/netns.js';
import { LANE } from '../lane.js';
import { asRunning, startLogged, waitListening, type RunningServer } from './running-server.js';

/** Above every concurrency the plans ask for (100), as dnsmasq's `tftp-max`. */
export const ATFTPD_MAX_THREADS = 1000;

export interface AtftpdBenchOptions {
  ns: Netns;
  dir: string;
  root: string;
  cpu?: string;
}

/** The command line (pure, for the test): foreground, one address, port 69, `root`. */
export function atftpdArgs(root: string, logFile: string, bindAddress: string = LANE.serverAddr): string[] {
  return [
    '--daemon',
    '--no-fork',
    '--bind-address',
    bindAddress,
    '--port',
    '69',
    // Files live in tmpfs readable by all; root only so no user/group lookup can fail in the namespace.
    '--user',
    'root.root',
    '--maxthread',
    String(ATFTPD_MAX_THREADS),
    // 3 = LOG_ERR: no "Serving file" line per transfer (default LOG_NOTICE logs each one).
    '--verbose=3',
    '--logfile',
    logFile,
    root,
  ];
}

export async function startAtftpd(opts: AtftpdBenchOptions): Promise<RunningServer> {
  const logFile = path.join(opts.dir, 'atftpd.log');
  const child = startLogged(opts.ns, 'atftpd', atftpdArgs(opts.root, logFile), logFile, opts.cpu !== undefined ? { cpu: opts.cpu } : {});
  const server = asRunning(opts.ns, 'atftpd', child, logFile);
  try {
    await waitListening(opts.ns, child, [{ proto: 'udp', port: 69 }], logFile, 'atftpd');
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}
