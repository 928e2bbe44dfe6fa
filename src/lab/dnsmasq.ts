/**
 * dnsmasq as the lab's reference DHCP/TFTP server: the "LAN's router" in proxy-mode tests
 * and the known-good server the vectors were captured from. DNS is off (`--port=0`) and it
 * binds only to the interface given, inside a lab namespace.
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type { Netns } from './netns.js';
import { readTextSafe, waitForOutput } from './wait-output.js';

/** Options for {@link startDnsmasq}. */
export interface DnsmasqOptions {
  ns: Netns;
  /** Interface inside `ns` to serve on, e.g. `bf0`. */
  iface: string;
  logDir: string;
  /** Used in file names; default `dnsmasq`. */
  name?: string;
  /** Serve TFTP from this directory. */
  tftpRoot?: string;
  /** Further dnsmasq arguments: `--dhcp-range=…`, `--dhcp-boot=…`, `--dhcp-match=…`. */
  args: string[];
}

/** A running dnsmasq. */
export interface Dnsmasq {
  readonly pid: number;
  /** dnsmasq's log (`--log-dhcp` output included). */
  readonly logFile: string;
  readonly leaseFile: string;
  logText(): string;
  stop(): Promise<void>;
}

/** Starts dnsmasq in the foreground inside `opts.ns` and waits until it reports it has started. */
export async function startDnsmasq(opts: DnsmasqOptions): Promise<Dnsmasq> {
  const name = opts.name ?? 'dnsmasq';
  mkdirSync(opts.logDir, { recursive: true });
  const logFile = join(opts.logDir, `${name}.log`);
  const leaseFile = join(opts.logDir, `${name}.leases`);
  const args = [
    '--keep-in-foreground',
    '--log-facility=-',
    '--log-dhcp',
    // Never read the host's configuration, hosts or resolver files.
    '--conf-file=/dev/null',
    '--no-hosts',
    '--no-resolv',
    '--port=0',
    '--bind-interfaces',
    `--interface=${opts.iface}`,
    `--dhcp-leasefile=${leaseFile}`,
    `--pid-file=${join(opts.logDir, `${name}.pid`)}`,
    // Stay root: lab temp directories are not readable by nobody.
    '--user=root',
    '--group=root',
    ...(opts.tftpRoot ? ['--enable-tftp', `--tftp-root=${opts.tftpRoot}`] : []),
    ...opts.args,
  ];
  const fd = openSync(logFile, 'w');
  const child = opts.ns.spawn('dnsmasq', args, { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  let gone = false;
  child.once('exit', () => (gone = true));
  if (child.pid === undefined) throw new Error('dnsmasq did not start');
  await waitForOutput(logFile, /started, version/, 10_000, () => gone, 'dnsmasq');
  return {
    pid: child.pid,
    logFile,
    leaseFile,
    logText: () => readTextSafe(logFile),
    stop: () => opts.ns.stop(child),
  };
}
