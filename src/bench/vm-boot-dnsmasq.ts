/**
 * The stack bootfleet replaces, for the VM boot-time comparison: dnsmasq as DHCP + TFTP and
 * nginx as the static web server, set up the way the iPXE and dnsmasq tutorials do it and
 * mirroring what bootfleet hands the same VM in full mode: a PXE client that is not iPXE gets
 * an iPXE binary over TFTP (undionly.kpxe for BIOS, ipxe.efi for EFI x64); iPXE (option 175
 * present) gets the URL of a static script that loads the lab kernel and initrd over HTTP.
 *
 * dnsmasq runs from a configuration file like /etc/dnsmasq.conf, so what a user would write is
 * what is measured; `ping: true` leaves dnsmasq's default ICMP check before each new offer
 * (≈ 3 s, lab-notes), `ping: false` adds `no-ping`.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stageHttpRoot } from '../harness/lab-assets.js';
import type { Netns } from '../lab/netns.js';
import { startNginx } from './servers/nginx.js';
import { asRunning, startLogged, waitListening, type RunningServer } from './servers/running-server.js';

/** Where Debian's ipxe package puts the binaries a non-iPXE PXE client is handed. */
export const IPXE_DIR = '/usr/lib/ipxe';
export const WEB_PORT = 8080;

/** What the generated dnsmasq.conf depends on. */
export interface DnsmasqLabConf {
  iface: string;
  serverAddr: string;
  router: string;
  poolStart: string;
  poolEnd: string;
  netmask: string;
  /** dnsmasq's default (true) pings each address before offering it; false = `no-ping`. */
  ping: boolean;
  tftpRoot: string;
  leaseFile: string;
  pidFile: string;
  logFile: string;
}

/** The static script's URL: the same place bootfleet serves its rendered one. */
export function scriptUrl(serverAddr: string): string {
  return `http://${serverAddr}:${WEB_PORT}/boot.ipxe`;
}

/** The dnsmasq.conf lines for the scenario (one option a line, as in /etc/dnsmasq.conf). */
export function dnsmasqLabConf(c: DnsmasqLabConf): string[] {
  return [
    // DNS off: the comparison is about booting; bootfleet has no DNS server either.
    'port=0',
    'no-resolv',
    'no-hosts',
    `interface=${c.iface}`,
    'bind-interfaces',
    `dhcp-range=${c.poolStart},${c.poolEnd},${c.netmask},1h`,
    `dhcp-option=option:router,${c.router}`,
    `dhcp-leasefile=${c.leaseFile}`,
    // iPXE announces itself with option 175 (its feature flags): it gets the script; any other
    // PXE client gets an iPXE binary for its architecture (client-arch 7 = EFI x64, RFC 4578).
    'dhcp-match=set:ipxe,175',
    'dhcp-match=set:efi-x86_64,option:client-arch,7',
    'dhcp-boot=tag:!ipxe,tag:efi-x86_64,ipxe.efi',
    'dhcp-boot=tag:!ipxe,tag:!efi-x86_64,undionly.kpxe',
    `dhcp-boot=tag:ipxe,${scriptUrl(c.serverAddr)}`,
    'enable-tftp',
    `tftp-root=${c.tftpRoot}`,
    ...(c.ping ? [] : ['no-ping']),
    `pid-file=${c.pidFile}`,
    `log-facility=${c.logFile}`,
    // Stay root: the lab's temporary directories are not readable by dnsmasq's usual user.
    'user=root',
    'group=root',
  ];
}

/** The static iPXE script: what bootfleet renders for the lab profile, as a file. */
export function staticBootScript(serverAddr: string, cmdline: string): string {
  const base = `http://${serverAddr}:${WEB_PORT}`;
  // initrd= on the command line: the EFI stub needs it under UEFI (lab-notes pitfall 6), as bootfleet adds it.
  return ['#!ipxe', `kernel ${base}/vmlinuz initrd=initrd.img ${cmdline}`, `initrd ${base}/initrd.img`, 'boot', ''].join('\n');
}

/** dnsmasq + nginx running in one namespace. */
export interface DnsmasqWebStack {
  readonly dnsmasq: RunningServer;
  readonly web: RunningServer;
  stop(): Promise<void>;
}

/**
 * Writes the TFTP root (iPXE binaries, copied: a TFTP root's links may not leave it), the web
 * root (kernel, initrd, script) and dnsmasq.conf under `dir`, then starts dnsmasq and nginx in
 * `ns`; resolves once both listen.
 */
export async function startDnsmasqWebStack(
  ns: Netns,
  dir: string,
  conf: Omit<DnsmasqLabConf, 'tftpRoot' | 'leaseFile' | 'pidFile' | 'logFile'>,
  cmdline: string,
): Promise<DnsmasqWebStack> {
  const tftpRoot = path.join(dir, 'tftp');
  mkdirSync(tftpRoot, { recursive: true });
  for (const f of ['undionly.kpxe', 'ipxe.efi']) copyFileSync(path.join(IPXE_DIR, f), path.join(tftpRoot, f));
  const webRoot = stageHttpRoot(dir);
  writeFileSync(path.join(webRoot, 'boot.ipxe'), staticBootScript(conf.serverAddr, cmdline), { mode: 0o644 });
  const logFile = path.join(dir, 'dnsmasq.log');
  const full: DnsmasqLabConf = { ...conf, tftpRoot, leaseFile: path.join(dir, 'dnsmasq.leases'), pidFile: path.join(dir, 'dnsmasq.pid'), logFile };
  const confFile = path.join(dir, 'dnsmasq.conf');
  writeFileSync(confFile, dnsmasqLabConf(full).join('\n') + '\n');
  const child = startLogged(ns, 'dnsmasq', ['--keep-in-foreground', `--conf-file=${confFile}`], logFile);
  const dnsmasq = asRunning(ns, 'dnsmasq', child, logFile);
  let web: RunningServer | null = null;
  try {
    await waitListening(ns, child, [{ proto: 'udp', port: 67 }, { proto: 'udp', port: 69 }], logFile, 'dnsmasq');
    web = await startNginx({ ns, dir: path.join(dir, 'web'), root: webRoot, port: WEB_PORT });
  } catch (err) {
    await dnsmasq.stop();
    throw err;
  }
  const w = web;
  return {
    dnsmasq,
    web: w,
    async stop() {
      await Promise.all([dnsmasq.stop(), w.stop()]);
    },
  };
}
