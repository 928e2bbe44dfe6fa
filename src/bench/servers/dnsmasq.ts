/**
 * dnsmasq under test, configured the way a fast dnsmasq would be: no ping before offers
 * (`no-ping`), authoritative, its lease file on tmpfs, DHCP logging off (`quiet-dhcp`), no
 * DNS, and limits (`dhcp-lease-max`, `tftp-max`) raised above what the benchmarks ask, so
 * the figures measure dnsmasq and not its defaults of 1 000 leases and 50 transfers.
 */
import path from 'node:path';
import type { Netns } from '../../lab/netns.js';
import { LANE, poolEnd } from '../lane.js';
import { asRunning, startLogged, waitListening, type ListenProbe, type RunningServer } from './running-server.js';

/** The lease file's name inside `leaseDir` (a preload writes it before the start). */
export const DNSMASQ_LEASE_FILE = 'dnsmasq.leases';

export interface DnsmasqBenchOptions {
  ns: Netns;
  dir: string;
  /** Lease file directory (tmpfs). */
  leaseDir: string;
  /** Serve TFTP from here. */
  tftpRoot?: string;
  /** DHCP pool size (0: no DHCP). */
  poolSize: number;
  cpu?: string;
}

export async function startDnsmasq(opts: DnsmasqBenchOptions): Promise<RunningServer> {
  const logFile = path.join(opts.dir, 'dnsmasq.log');
  const args = [
    '--keep-in-foreground',
    `--log-facility=${logFile}`,
    '--conf-file=/dev/null',
    '--no-hosts',
    '--no-resolv',
    '--port=0',
    '--bind-interfaces',
    `--interface=${LANE.serverIf}`,
    `--pid-file=${path.join(opts.dir, 'dnsmasq.pid')}`,
    '--user=root',
    '--group=root',
  ];
  const probes: ListenProbe[] = [];
  if (opts.poolSize > 0) {
    args.push(
      `--dhcp-range=${LANE.poolStart},${poolEnd(opts.poolSize)},${LANE.relayNetmask},1h`,
      `--dhcp-leasefile=${path.join(opts.leaseDir, DNSMASQ_LEASE_FILE)}`,
      `--dhcp-lease-max=${opts.poolSize + 1000}`,
      '--dhcp-authoritative',
      '--no-ping',
      '--quiet-dhcp',
    );
    probes.push({ proto: 'udp', port: 67 });
  }
  if (opts.tftpRoot !== undefined) {
    args.push('--enable-tftp', `--tftp-root=${opts.tftpRoot}`, '--tftp-max=1000');
    probes.push({ proto: 'udp', port: 69 });
  }
  const child = startLogged(opts.ns, 'dnsmasq', args, logFile, opts.cpu !== undefined ? { cpu: opts.cpu } : {});
  const server = asRunning(opts.ns, 'dnsmasq', child, logFile);
  try {
    await waitListening(opts.ns, child, probes, logFile, 'dnsmasq');
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}
