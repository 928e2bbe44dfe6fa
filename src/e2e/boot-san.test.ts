/**
 * End to end: `sanboot` profiles boot real VMs (full DHCP mode, BIOS: SeaBIOS with QEMU's iPXE
 * ROM), inside namespaces this test makes. Both boot the lab's ISO (scripts/build-lab-assets.sh:
 * ISOLINUX → the lab kernel with `bf.profile=iso`), which prints BOOTFLEET-MARKER and its command line.
 *
 * - ISO over HTTP: iPXE `sanboot http://…/lab.iso` hooks the ISO as a BIOS drive whose blocks it
 *   reads with HTTP Range requests, which bootfleet's HTTP server answers with 206.
 * - iSCSI: tgtd in the server namespace exports a copy of the same ISO as a CD LUN; iPXE
 *   `sanboot iscsi:198.18.0.2:::1:<iqn>` logs in and boots it, with keep-san set.
 *
 * Two VM runs, one after the other.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { canUseNetns, destroyAll } from '../lab/netns.js';
import { bootLab, LAB_NET, type Lab } from '../lab/topology.js';
import { startVm } from '../lab/qemu.js';
import { startIscsiTarget, type IscsiTarget } from '../lab/iscsi-target.js';
import { labIso, stageFile, stageHttpRoot } from '../harness/lab-assets.js';
import { BootfleetProcess, type LoggedEvent } from '../harness/bootfleet-process.js';
import { diagnose } from '../doctor/diagnose.js';

const skip = canUseNetns() ? false : 'needs root to create network namespaces';
const BOOT_TIMEOUT = 120_000;
const IQN = 'iqn.2026-11.lab.bootfleet:iso';

const macIso = '52:54:00:bf:5a:0a';
const macIscsi = '52:54:00:bf:5a:0b';

function kinds(timeline: LoggedEvent[]): string {
  return timeline.map((e) => `${e.kind}${e.data?.status !== undefined ? `:${String(e.data.status)}` : ''}`).join(' ');
}

describe('end to end: sanboot of an ISO over HTTP and over iSCSI', { skip, timeout: 300_000 }, () => {
  let lab: Lab;
  let server: BootfleetProcess;
  let target: IscsiTarget;
  let dir: string;
  let lun: string;
  const timings: string[] = [];

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'bootfleet-san-'));
    const httpRoot = stageHttpRoot(dir);
    stageFile(labIso(), httpRoot, 'lab.iso');
    // tgtd opens its backing file read-write even for a read-only LUN: give it a copy, never the shared asset.
    lun = path.join(dir, 'lun1.iso');
    copyFileSync(labIso(), lun);
    lab = await bootLab({ taps: 2 });
    target = await startIscsiTarget(lab.server, { addr: LAB_NET.serverAddr, iqn: IQN, backingFile: lun, deviceType: 'cd' });
    server = await BootfleetProcess.start(
      lab.server,
      {
        interfaces: [{ name: LAB_NET.serverIf, mode: 'full' }],
        dhcp: { subnets: [{ subnet: LAB_NET.cidr, pools: [{ start: LAB_NET.poolStart, end: LAB_NET.poolEnd }], router: '198.18.0.1', leaseTime: '1h' }] },
        http: { port: 8080, root: httpRoot },
        boot: { defaultProfile: 'iso' },
        profiles: {
          // A path under http.root: rendered as http://198.18.0.2:8080/lab.iso.
          iso: { kind: 'sanboot', rootPath: 'lab.iso' },
          iscsi: { kind: 'sanboot', rootPath: target.rootPath, keepSan: true },
        },
        machines: [{ mac: macIscsi, profile: 'iscsi' }],
      },
      { dir },
    );
  });

  after(async () => {
    await server?.stop();
    await target?.stop();
    await lab?.destroy();
    await destroyAll();
    if (lun) rmSync(lun, { force: true });
    if (timings.length) console.log(`# boot times (power-on to marker): ${timings.join(', ')}`);
    const left = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.startsWith(`bft${process.pid}-`));
    assert.deepEqual(left, [], 'no lab namespace is left');
    const procs = execFileSync('ps', ['-eo', 'pid=,stat=,args='], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => (l.includes('qemu-system') && l.includes(dir)) || (target !== undefined && l.includes(`tgtd -f -C ${target.controlPort} `)));
    assert.deepEqual(procs, [], 'no VM and no tgtd of this test is left');
  });

  test('ISO over HTTP: iPXE sanboot reads the ISO with Range requests (206) → ISOLINUX → kernel', { timeout: BOOT_TIMEOUT + 10_000 }, async () => {
    const vm = await startVm({ ns: lab.lan, tapName: lab.tapNames[0]!, mac: macIso, firmware: 'bios', name: 'san-iso', logDir: dir });
    try {
      const m = await vm.waitFor(/CMDLINE: (.*)/, BOOT_TIMEOUT);
      timings.push(`iso-http ${((Date.now() - vm.startedAt) / 1000).toFixed(1)} s`);
      assert.match(vm.serialText(), /Registered SAN device 0x80/, 'iPXE hooked the ISO as the first BIOS disk');
      assert.match(m[1]!, /bf\.profile=iso/);
      assert.match(vm.serialText(), /ISOLINUX/, 'the ISO\'s own boot loader ran');
    } finally {
      await vm.stop();
    }
    const timeline = server.timeline(macIso);
    const script = timeline.find((e) => e.kind === 'http.script');
    assert.ok(script, `the machine fetched its script: ${kinds(timeline)}`);
    const isoReads = timeline.filter((e) => e.kind === 'http.request' && e.data?.path === '/lab.iso');
    const partial = isoReads.filter((e) => e.data?.status === 206);
    assert.ok(partial.length >= 2, `the ISO was read in ranges (206): ${kinds(timeline)}`);
    assert.ok(
      isoReads.every((e) => e.data?.status === 206 || (e.data?.method === 'HEAD' && e.data?.status === 200)),
      `no full download and no error: ${kinds(isoReads)}`,
    );
    const bytes = partial.reduce((n, e) => n + Number(e.data?.bytes ?? 0), 0);
    timings.push(`(${partial.length} range requests, ${(bytes / 2 ** 20).toFixed(1)} MiB)`);
    // The doctor sees a boot that fetched the ISO after its script as one that got to its payload.
    const d = diagnose(macIso, timeline);
    assert.equal(d.ok, true, d.summary);
    assert.equal(d.stage, 'kernel');
    assert.match(d.summary, /fetched \/lab\.iso;/, 'each path once, however many ranges were read');
    const order = timeline.map((e) => e.kind);
    assert.ok(order.indexOf('dhcp.ack') < order.indexOf('http.script'), `DHCP, then the script: ${kinds(timeline)}`);
    assert.ok(order.indexOf('http.script') < timeline.indexOf(partial[0]!), `the script, then the ISO: ${kinds(timeline)}`);
  });

  test('iSCSI: iPXE logs in to tgtd in the server namespace and boots the CD LUN → ISOLINUX → kernel', { timeout: BOOT_TIMEOUT + 10_000 }, async () => {
    const vm = await startVm({ ns: lab.lan, tapName: lab.tapNames[1]!, mac: macIscsi, firmware: 'bios', name: 'san-iscsi', logDir: dir });
    // The session is open from iPXE's login until the VM powers off: watch for it meanwhile.
    const seen = new Set<string>();
    const poll = setInterval(() => {
      try {
        for (const i of target.initiators()) seen.add(i);
      } catch {
        /* tgtd busy: next tick */
      }
    }, 500);
    try {
      const m = await vm.waitFor(/CMDLINE: (.*)/, BOOT_TIMEOUT);
      timings.push(`iscsi ${((Date.now() - vm.startedAt) / 1000).toFixed(1)} s`);
      assert.match(m[1]!, /bf\.profile=iso/);
      assert.match(vm.serialText(), /ISOLINUX/, 'the ISO\'s own boot loader ran');
    } finally {
      clearInterval(poll);
      await vm.stop();
    }
    assert.ok([...seen].some((i) => i.startsWith('iqn.2010-04.org.ipxe:')), `iPXE logged in to the target: ${[...seen].join(', ') || 'no session seen'}\n${target.log()}`);
    const timeline = server.timeline(macIscsi);
    assert.ok(timeline.some((e) => e.kind === 'http.script'), `the machine fetched its script: ${kinds(timeline)}`);
    assert.ok(!timeline.some((e) => e.kind === 'http.request' && e.data?.path === '/lab.iso'), 'the ISO came over iSCSI, not HTTP');
    // Past the script the boot is between the machine and the target: the doctor says so, not "stopped".
    const d = diagnose(macIscsi, timeline);
    assert.equal(d.ok, true, d.summary);
    assert.match(d.summary, /handed to its SAN target \(profile iscsi\)/);
  });
});
