/**
 * End to end in proxy mode: dnsmasq plays the LAN's router and hands out addresses (and no
 * boot options); bootfleet answers as a proxyDHCP server and gives everything else. Real QEMU
 * VMs (BIOS iPXE ROM, OVMF's own PXE client) boot the lab's small Linux.
 *
 *   [router ns] eth0 198.18.0.1  dnsmasq, addresses only ──┐
 *   [srv ns]    bf0  198.18.0.2  bootfleet, mode proxy  ───┼── br0 ── tap0, tap1 (VMs)
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { canUseNetns, destroyAll, type Netns } from '../lab/netns.js';
import { addClientNs, bootLab, type Lab } from '../lab/topology.js';
import { startDnsmasq, type Dnsmasq } from '../lab/dnsmasq.js';
import { startVm } from '../lab/qemu.js';
import { doctorOn } from '../harness/doctor-check.js';
import { BootfleetProcess } from '../harness/bootfleet-process.js';
import { stageHttpRoot } from '../harness/lab-assets.js';

const skip = canUseNetns() ? false : 'needs root to create network namespaces';
const BOOT_TIMEOUT = 150_000;
const ROUTER = '198.18.0.1';

describe('end to end: proxyDHCP beside the LAN\'s own DHCP server (dnsmasq)', { skip, timeout: 600_000 }, () => {
  let lab: Lab;
  let router: Netns;
  let dnsmasq: Dnsmasq;
  let server: BootfleetProcess;
  let dir: string;
  const macBios = '52:54:00:bf:01:0a';
  const macUefi = '52:54:00:bf:01:0b';

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'bootfleet-e2e-proxy-'));
    chmodSync(dir, 0o755);
    lab = await bootLab({ taps: 2 });
    router = addClientNs(lab, 'router');
    router.run('ip', ['addr', 'add', `${ROUTER}/24`, 'dev', 'eth0']);
    // Addresses only: no dhcp-boot, no boot options. --no-ping: dnsmasq's ≈3 s probe before a
    // first offer (lab-notes pitfall 8) changes nothing a proxy sees and only slows the test.
    dnsmasq = await startDnsmasq({ ns: router, iface: 'eth0', logDir: path.join(dir, 'dnsmasq'), args: ['--dhcp-range=198.18.0.100,198.18.0.150,1h', '--no-ping'] });
    mkdirSync(path.join(dir, 'tftp'), { recursive: true });
    server = await BootfleetProcess.start(
      lab.server,
      {
        interfaces: [{ name: 'bf0', mode: 'proxy' }],
        tftp: { root: path.join(dir, 'tftp') },
        http: { port: 8080, root: stageHttpRoot(dir) },
        profiles: { default: { kernel: 'vmlinuz', initrd: ['initrd.img'], cmdline: 'console=ttyS0 bf.profile=proxied' } },
      },
      { dir },
    );
  });

  after(async () => {
    await server?.stop();
    await dnsmasq?.stop();
    await lab?.destroy();
    await destroyAll();
  });

  function assertAddressFromDnsmasqOnly(mac: string): void {
    const leases = readFileSync(dnsmasq.leaseFile, 'utf8');
    assert.match(leases, new RegExp(`^\\d+ ${mac} 198\\.18\\.0\\.\\d+ `, 'm'), `dnsmasq leased ${mac} an address:\n${leases}`);
    const timeline = server.timeline(mac);
    // bootfleet never offers, acknowledges or NAKs an address in proxy mode.
    const addressReplies = timeline.filter((e) => ['dhcp.offer', 'dhcp.ack', 'dhcp.nak'].includes(e.kind));
    assert.deepEqual(addressReplies.map((e) => e.kind), [], 'no address replies from bootfleet');
    assert.ok(timeline.some((e) => e.kind === 'dhcp.proxy-offer' || e.kind === 'dhcp.proxy-ack'), `proxy replies: ${timeline.map((e) => e.kind).join(' ')}`);
  }

  test('BIOS (SeaBIOS + iPXE ROM): address from dnsmasq, HTTP script from bootfleet → kernel', { timeout: BOOT_TIMEOUT + 10_000 }, async () => {
    const vm = await startVm({ ns: lab.lan, tapName: lab.tapNames[0]!, mac: macBios, firmware: 'bios', name: 'proxy-bios', logDir: dir });
    try {
      const m = await vm.waitFor(/CMDLINE: (.*)/, BOOT_TIMEOUT);
      assert.match(m[1]!, /bf\.profile=proxied/);
    } finally {
      await vm.stop();
    }
    assertAddressFromDnsmasqOnly(macBios);
    const d = doctorOn(macBios, server.timeline(macBios), 'proxy-bios-ok');
    assert.equal(d.ok, true, d.summary);
    assert.equal(d.stage, 'kernel');
  });

  test('UEFI (OVMF PXE): address from dnsmasq, port-4011 ACK → ipxe.efi over TFTP → script → kernel', { timeout: BOOT_TIMEOUT + 10_000 }, async () => {
    const vm = await startVm({ ns: lab.lan, tapName: lab.tapNames[1]!, mac: macUefi, firmware: 'uefi', name: 'proxy-uefi', logDir: dir });
    try {
      const m = await vm.waitFor(/CMDLINE: (.*)/, BOOT_TIMEOUT);
      assert.match(m[1]!, /bf\.profile=proxied/);
    } finally {
      await vm.stop();
    }
    assertAddressFromDnsmasqOnly(macUefi);
    const timeline = server.timeline(macUefi);
    assert.ok(timeline.some((e) => e.kind === 'dhcp.proxy-ack' && e.data?.port === 4011), 'EDK2 asked on port 4011 and got the ACK');
    assert.ok(timeline.some((e) => e.kind === 'tftp.done'), 'ipxe.efi went over TFTP, and the event carries the MAC');
    const d = doctorOn(macUefi, timeline, 'proxy-uefi-ok');
    assert.equal(d.ok, true, d.summary);
    assert.equal(d.stage, 'kernel');
    assert.equal(d.steps[0]!.kind, 'dhcp.proxy-offer', 'the attempt starts at the firmware\'s proxy offer');
    assert.ok(d.steps.some((s) => /ipxe\.efi/.test(s.says)), 'and includes ipxe.efi before iPXE\'s own DHCP');
  });
});
