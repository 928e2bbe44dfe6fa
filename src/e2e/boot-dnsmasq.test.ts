/**
 * End to end with a dnsmasq command line: `bootfleet dnsmasq …` runs a tutorial-style proxyDHCP
 * setup unchanged (proxy range, client-arch match for ipxe.efi, option 175 match for the HTTP
 * script, dnsmasq's own TFTP), beside the LAN's router (dnsmasq handing out addresses only).
 * Real QEMU VMs boot the lab's small Linux: BIOS (SeaBIOS + iPXE ROM: option 175 → the HTTP
 * script straight away) and UEFI (OVMF PXE: client-arch 7 → port 4011 → ipxe.efi over TFTP →
 * the HTTP script). The script is a static file, as in the tutorials; bootfleet's HTTP server
 * serves it because the bootfleet config given with --bootfleet-config has an `http:` section.
 *
 *   [router ns] eth0 198.18.0.1  dnsmasq, addresses only ───────────┐
 *   [srv ns]    bf0  198.18.0.2  bootfleet dnsmasq --dhcp-range=…,proxy ┼── br0 ── tap0, tap1 (VMs)
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { canUseNetns, destroyAll, type Netns } from '../lab/netns.js';
import { addClientNs, bootLab, type Lab } from '../lab/topology.js';
import { startDnsmasq, type Dnsmasq } from '../lab/dnsmasq.js';
import { startVm } from '../lab/qemu.js';
import { stageHttpRoot } from '../harness/lab-assets.js';
import { doctorOn } from '../harness/doctor-check.js';
import type { EventRecord } from '../events/boot-event.js';

const skip = canUseNetns() ? false : 'needs root to create network namespaces';
const BOOT_TIMEOUT = 150_000;
const ROUTER = '198.18.0.1';
const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../cli/main.js');

/** The tutorial's command line (test/dnsmasq/tutorial-proxy.conf holds the same lines for the differential test). */
function tutorialArgs(tftpRoot: string, leaseFile: string): string[] {
  return [
    '--no-daemon',
    '--port=0',
    '--conf-file', // no configuration file: only these flags
    '--interface=bf0',
    '--bind-interfaces',
    '--log-dhcp',
    '--dhcp-range=198.18.0.0,proxy',
    '--dhcp-match=set:efi-x86_64,option:client-arch,7',
    '--dhcp-match=set:ipxe,175',
    '--pxe-prompt=bootfleet,0',
    '--dhcp-boot=tag:!ipxe,tag:efi-x86_64,ipxe.efi',
    '--dhcp-boot=tag:!ipxe,tag:!efi-x86_64,undionly.kpxe',
    '--dhcp-boot=tag:ipxe,http://198.18.0.2:8080/menu.ipxe,,198.18.0.2',
    '--enable-tftp',
    `--tftp-root=${tftpRoot}`,
    `--dhcp-leasefile=${leaseFile}`,
  ];
}

/** One JSON line of bootfleet's event log. */
type LoggedEvent = EventRecord;

/** `bootfleet dnsmasq …` in a namespace, its output and JSON events collected. */
class BootfleetDnsmasq {
  readonly output: string[] = [];
  readonly events: LoggedEvent[] = [];

  private constructor(
    private readonly ns: Netns,
    private readonly child: ChildProcess,
  ) {
    for (const stream of [child.stdout, child.stderr]) {
      if (stream === null) continue;
      createInterface({ input: stream }).on('line', (line) => {
        this.output.push(line);
        if (line.startsWith('{')) {
          try {
            this.events.push(JSON.parse(line) as LoggedEvent);
          } catch {
            /* not an event */
          }
        }
      });
    }
  }

  static async start(ns: Netns, args: string[]): Promise<BootfleetDnsmasq> {
    const child = ns.spawn(process.execPath, [CLI, 'dnsmasq', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const p = new BootfleetDnsmasq(ns, child);
    const deadline = Date.now() + 15_000;
    while (!p.output.includes('bootfleet: ready')) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`bootfleet dnsmasq did not start:\n${p.output.join('\n')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return p;
  }

  timeline(mac: string): LoggedEvent[] {
    return this.events.filter((e) => e.mac === mac);
  }

  async stop(): Promise<void> {
    await this.ns.stop(this.child);
  }
}

describe('end to end: bootfleet runs a tutorial dnsmasq command line (proxyDHCP beside the LAN\'s router)', { skip, timeout: 600_000 }, () => {
  let lab: Lab;
  let router: Netns;
  let dnsmasq: Dnsmasq;
  let server: BootfleetDnsmasq;
  let dir: string;
  const macBios = '52:54:00:bf:05:0a';
  const macUefi = '52:54:00:bf:05:0b';

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'bootfleet-e2e-dnsmasq-'));
    chmodSync(dir, 0o755);
    lab = await bootLab({ taps: 2 });
    router = addClientNs(lab, 'router');
    router.run('ip', ['addr', 'add', `${ROUTER}/24`, 'dev', 'eth0']);
    dnsmasq = await startDnsmasq({ ns: router, iface: 'eth0', logDir: path.join(dir, 'router'), args: ['--dhcp-range=198.18.0.100,198.18.0.150,1h', '--no-ping'] });

    // The tutorial's TFTP root holds the iPXE binaries (copied: a TFTP root's links may not leave it).
    const tftpRoot = path.join(dir, 'tftp');
    mkdirSync(tftpRoot, { recursive: true });
    for (const f of ['ipxe.efi', 'undionly.kpxe']) copyFileSync(path.join('/usr/lib/ipxe', f), path.join(tftpRoot, f));
    // Its web server holds the script, kernel and initrd.
    const httpRoot = stageHttpRoot(dir);
    writeFileSync(
      path.join(httpRoot, 'menu.ipxe'),
      // initrd= on the command line: the EFI stub needs it under UEFI (lab notes, pitfall 6).
      '#!ipxe\nkernel vmlinuz initrd=initrd.img console=ttyS0 bf.profile=dnsmasq-tutorial\ninitrd initrd.img\nboot\n',
    );
    const base = path.join(dir, 'bootfleet.yaml');
    writeFileSync(
      base,
      [`dataDir: ${JSON.stringify(path.join(dir, 'data'))}`, 'log: { format: json }', `http: { port: 8080, root: ${JSON.stringify(httpRoot)} }`, 'dhcp: { probeSeconds: 0 }', ''].join('\n'),
    );
    server = await BootfleetDnsmasq.start(lab.server, [`--bootfleet-config=${base}`, ...tutorialArgs(tftpRoot, path.join(dir, 'dnsmasq.leases'))]);
  });

  after(async () => {
    await server?.stop();
    await dnsmasq?.stop();
    await lab?.destroy();
    await destroyAll();
  });

  function assertProxyOnly(mac: string): void {
    const leases = readFileSync(dnsmasq.leaseFile, 'utf8');
    assert.match(leases, new RegExp(`^\\d+ ${mac} 198\\.18\\.0\\.\\d+ `, 'm'), `the router leased ${mac} an address:\n${leases}`);
    const kinds = server.timeline(mac).map((e) => e.kind);
    assert.deepEqual(kinds.filter((k) => ['dhcp.offer', 'dhcp.ack', 'dhcp.nak'].includes(k)), [], 'bootfleet gave no address');
    assert.ok(server.timeline(mac).some((e) => e.kind === 'dhcp.proxy-offer' && String(e.data?.boot).startsWith('dnsmasq')), `dnsmasq-policy proxy offers: ${kinds.join(' ')}`);
  }

  test('BIOS (SeaBIOS + iPXE ROM): option 175 → the HTTP script from the dnsmasq rules → kernel', { timeout: BOOT_TIMEOUT + 10_000 }, async () => {
    const vm = await startVm({ ns: lab.lan, tapName: lab.tapNames[0]!, mac: macBios, firmware: 'bios', name: 'dnsmasq-bios', logDir: dir });
    try {
      const m = await vm.waitFor(/CMDLINE: (.*)/, BOOT_TIMEOUT);
      assert.match(m[1]!, /bf\.profile=dnsmasq-tutorial/);
    } finally {
      await vm.stop();
    }
    assertProxyOnly(macBios);
    const offer = server.timeline(macBios).find((e) => e.kind === 'dhcp.proxy-offer');
    assert.equal(offer?.data?.file, 'http://198.18.0.2:8080/menu.ipxe');
    // The static script and the files it names carry no ?mac=: the neighbour table names the machine.
    const d = doctorOn(macBios, server.timeline(macBios), 'dnsmasq-bios-ok');
    assert.equal(d.ok, true, d.summary);
    assert.equal(d.stage, 'kernel', d.summary);
  });

  test('UEFI (OVMF PXE): client-arch 7 → port 4011 → ipxe.efi over dnsmasq-style TFTP → HTTP script → kernel', { timeout: BOOT_TIMEOUT + 10_000 }, async () => {
    const vm = await startVm({ ns: lab.lan, tapName: lab.tapNames[1]!, mac: macUefi, firmware: 'uefi', name: 'dnsmasq-uefi', logDir: dir });
    try {
      const m = await vm.waitFor(/CMDLINE: (.*)/, BOOT_TIMEOUT);
      assert.match(m[1]!, /bf\.profile=dnsmasq-tutorial/);
    } finally {
      await vm.stop();
    }
    assertProxyOnly(macUefi);
    const timeline = server.timeline(macUefi);
    assert.ok(timeline.some((e) => e.kind === 'dhcp.proxy-ack' && e.data?.port === 4011 && e.data?.file === 'ipxe.efi'), 'EDK2 asked on port 4011 and got ipxe.efi');
    assert.ok(timeline.some((e) => e.kind === 'tftp.done' && String(e.data?.file).includes('ipxe.efi')), 'ipxe.efi went over TFTP');
    assert.ok(timeline.some((e) => e.kind === 'dnsmasq.tags'), 'log-dhcp: the tags of each request are logged');
    const d = doctorOn(macUefi, timeline, 'dnsmasq-uefi-ok');
    assert.equal(d.ok, true, d.summary);
    assert.equal(d.stage, 'kernel', d.summary);
  });
});
