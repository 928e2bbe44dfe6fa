/**
 * End to end: QEMU VMs network-boot a small Linux from bootfleet alone, in full DHCP mode,
 * inside namespaces this test makes. Each VM's initramfs prints BOOTFLEET-MARKER and its
 * kernel command line, which carries the profile marker, then powers off.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { canUseNetns, destroyAll } from '../lab/netns.js';
import { bootLab, type Lab } from '../lab/topology.js';
import { startVm } from '../lab/qemu.js';
import { stageHttpRoot } from '../harness/lab-assets.js';
import { BootfleetProcess } from '../harness/bootfleet-process.js';
import { doctorOn } from '../harness/doctor-check.js';

const skip = canUseNetns() ? false : 'needs root to create network namespaces';
const BOOT_TIMEOUT = 150_000;



describe('end to end: full DHCP mode', { skip, timeout: 600_000 }, () => {
  let lab: Lab;
  let server: BootfleetProcess;
  let dir: string;
  const macA = '52:54:00:bf:00:0a';
  const macB = '52:54:00:bf:00:0b';
  const macC = '52:54:00:bf:00:0c';
  const macD = '52:54:00:bf:00:0d';

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'bootfleet-e2e-'));
    lab = await bootLab({ taps: 4 });
    server = await BootfleetProcess.start(
      lab.server,
      {
        interfaces: [{ name: 'bf0', mode: 'full' }],
        dhcp: { subnets: [{ subnet: '198.18.0.0/24', pools: [{ start: '198.18.0.100', end: '198.18.0.150' }], router: '198.18.0.1', leaseTime: '1h' }] },
        tftp: { root: path.join(dir, 'tftp') },
        http: { port: 8080, root: stageHttpRoot(dir) },
        boot: { uefi: 'ipxe.efi', defaultProfile: 'alpha' },
        profiles: {
          alpha: { kernel: 'vmlinuz', initrd: ['initrd.img'], cmdline: 'console=ttyS0 bf.profile=alpha' },
          beta: { kernel: 'vmlinuz', initrd: ['initrd.img'], cmdline: 'console=ttyS0 bf.profile=beta' },
          // A typo in a kernel path: the machine stops in iPXE, and the doctor must say where.
          broken: { kernel: 'vmlinuz-typo', initrd: ['initrd.img'], cmdline: 'console=ttyS0 bf.profile=broken' },
        },
        machines: [
          { mac: macB, profile: 'beta' },
          { mac: macD, profile: 'broken' },
        ],
      },
      { dir },
    );
    mkdirSync(path.join(dir, 'tftp'), { recursive: true });
  });

  after(async () => {
    await server?.stop();
    await lab?.destroy();
    await destroyAll();
    // Each scenario must leave nothing behind: no namespace of this process, no VM.
    const left = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.startsWith(`bft${process.pid}-`));
    assert.deepEqual(left, [], 'no lab namespace is left');
    const qemus = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.includes('qemu-system') && l.includes(dir));
    assert.deepEqual(qemus, [], 'no VM of this test is left');
  });

  test('BIOS: SeaBIOS + iPXE ROM → HTTP script → kernel (profile alpha)', { timeout: BOOT_TIMEOUT + 10_000 }, async () => {
    const vm = await startVm({ ns: lab.lan, tapName: lab.tapNames[0]!, mac: macA, firmware: 'bios', name: 'bios-a', logDir: dir });
    try {
      const m = await vm.waitFor(/CMDLINE: (.*)/, BOOT_TIMEOUT);
      assert.match(m[1]!, /bf\.profile=alpha/);
    } finally {
      await vm.stop();
    }
    const kinds = server.timeline(macA).map((e) => e.kind);
    assert.ok(kinds.includes('dhcp.ack'), `timeline: ${kinds.join(' ')}`);
    assert.ok(kinds.includes('http.script'), `timeline: ${kinds.join(' ')}`);
    const d = doctorOn(macA, server.timeline(macA), 'bios-ok');
    assert.equal(d.ok, true, d.summary);
    assert.equal(d.stage, 'kernel');
    assert.match(d.summary, /vmlinuz/);
  });

  test('UEFI: OVMF PXE (arch 7) → ipxe.efi over TFTP → iPXE asks again → HTTP script → kernel', { timeout: BOOT_TIMEOUT + 10_000 }, async () => {
    const vm = await startVm({ ns: lab.lan, tapName: lab.tapNames[1]!, mac: macB, firmware: 'uefi', name: 'uefi-b', logDir: dir });
    try {
      const m = await vm.waitFor(/CMDLINE: (.*)/, BOOT_TIMEOUT);
      // Machine B has its own profile: different MACs, different profiles (scenario c).
      assert.match(m[1]!, /bf\.profile=beta/);
    } finally {
      await vm.stop();
    }
    const timeline = server.timeline(macB);
    const tftp = timeline.find((e) => e.kind === 'tftp.done');
    assert.ok(tftp, `a TFTP transfer of ipxe.efi: ${timeline.map((e) => e.kind).join(' ')}`);
    const offers = timeline.filter((e) => e.kind === 'dhcp.offer' || e.kind === 'dhcp.ack');
    assert.ok(offers.length >= 2, 'firmware PXE and then iPXE each got a DHCP reply');
    const d = doctorOn(macB, timeline, 'uefi-ok');
    assert.equal(d.ok, true, d.summary);
    assert.equal(d.stage, 'kernel');
    assert.ok(d.steps.some((s) => s.kind === 'tftp.done' && /ipxe\.efi/.test(s.says)), 'the doctor lists the TFTP step');
  });

  test('UEFI HTTP boot: OVMF (arch 16) gets option 60 HTTPClient and a URL → ipxe.efi over HTTP → script → kernel', { timeout: BOOT_TIMEOUT + 10_000 }, async () => {
    // Turning OVMF's PXE off makes it try HTTP boot (lab-notes: "UEFI HTTP boot (OVMF)").
    const extraArgs = ['-fw_cfg', 'name=opt/org.tianocore/IPv4PXESupport,string=n', '-fw_cfg', 'name=opt/org.tianocore/IPv6PXESupport,string=n'];
    const vm = await startVm({ ns: lab.lan, tapName: lab.tapNames[2]!, mac: macC, firmware: 'uefi', name: 'uefi-http-c', logDir: dir, extraArgs });
    try {
      const m = await vm.waitFor(/CMDLINE: (.*)/, BOOT_TIMEOUT);
      assert.match(m[1]!, /bf\.profile=alpha/);
    } finally {
      await vm.stop();
    }
    const timeline = server.timeline(macC);
    const offer = timeline.find((e) => e.kind === 'dhcp.offer' && e.data?.boot === 'uefi-http');
    assert.ok(offer, `an offer with the uefi-http plan: ${timeline.map((e) => `${e.kind}:${String(e.data?.boot ?? '')}`).join(' ')}`);
    const efi = timeline.find((e) => e.kind === 'http.request' && e.data?.path === '/ipxe.efi' && e.data?.status === 200);
    assert.ok(efi, 'the firmware fetched ipxe.efi over HTTP');
    const d = doctorOn(macC, timeline, 'uefi-http-ok');
    assert.equal(d.ok, true, d.summary);
    assert.equal(d.stage, 'kernel');
  });

  test('doctor: a profile whose kernel path is wrong stops in iPXE, and the doctor names the 404', { timeout: BOOT_TIMEOUT + 10_000 }, async () => {
    const vm = await startVm({ ns: lab.lan, tapName: lab.tapNames[3]!, mac: macD, firmware: 'bios', name: 'bios-broken-d', logDir: dir });
    try {
      await server.waitForEvent((e) => e.mac === macD && e.kind === 'http.request' && e.data?.status === 404, BOOT_TIMEOUT, 'the 404 for the missing kernel');
    } finally {
      await vm.stop();
    }
    const d = doctorOn(macD, server.timeline(macD), 'bios-kernel-404');
    assert.equal(d.ok, false);
    assert.equal(d.stage, 'script');
    assert.match(d.summary, /vmlinuz-typo.*404/);
    assert.match(d.hint ?? '', /http\.root/);
  });
});
