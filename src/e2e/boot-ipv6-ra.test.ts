/**
 * End to end: with the default config (`ipv6RaForIpxe: auto`), a BIOS VM's iPXE ROM gets
 * bootfleet's router advertisement and stops waiting for IPv6 autoconfiguration, so it
 * fetches its boot script soon after its DHCP ACK instead of ≈ 13–17 s later (lab-notes
 * pitfall 7; docs/adr/0005-ipv6-ra.md). Inside namespaces this test makes.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BootfleetProcess } from '../harness/bootfleet-process.js';
import { canUseNetns, destroyAll } from '../lab/netns.js';
import { startVm } from '../lab/qemu.js';
import { bootLab, type Lab } from '../lab/topology.js';
import { ackToScriptSeconds, labConfig } from '../lab/measure-boot.js';

const skip = canUseNetns() ? false : 'needs root to create network namespaces';
const BOOT_TIMEOUT = 150_000;
/**
 * Well below iPXE's IPv6 wait (≈ 15 s from ACK to script under TCG without an answer,
 * ≈ 1.5 s with one), with room for a loaded CI machine.
 */
const MAX_ACK_TO_SCRIPT_SECONDS = 8;

describe('end to end: iPXE stops waiting for IPv6 (router advertisement on by default)', { skip, timeout: 300_000 }, () => {
  let lab: Lab;
  let server: BootfleetProcess;
  let dir: string;
  const mac = '52:54:00:bf:06:b1';

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'bootfleet-e2e-ra-'));
    mkdirSync(path.join(dir, 'tftp'), { recursive: true });
    lab = await bootLab({ taps: 1 });
    // No ipv6RaForIpxe key: the default must be the safe, fast behaviour.
    server = await BootfleetProcess.start(lab.server, labConfig(dir, 0), { dir });
  });

  after(async () => {
    await server?.stop();
    await lab?.destroy();
    await destroyAll();
  });

  test('BIOS iPXE gets a router advertisement and fetches its script within seconds of its DHCP ACK', { timeout: BOOT_TIMEOUT + 10_000 }, async () => {
    const vm = await startVm({ ns: lab.lan, tapName: lab.tapNames[0]!, mac, firmware: 'bios', name: 'bios-ra', logDir: dir });
    try {
      const m = await vm.waitFor(/CMDLINE: (.*)/, BOOT_TIMEOUT);
      assert.match(m[1]!, /bf\.profile=alpha/);
    } finally {
      await vm.stop();
    }
    const timeline = server.timeline(mac);
    const kinds = timeline.map((e) => e.kind).join(' ');
    const ra = timeline.find((e) => e.kind === 'ndp.ra');
    assert.ok(ra, `bootfleet answered iPXE's router solicitation: ${kinds}`);
    assert.equal(ra.data?.to, 'fe80::5054:ff:febf:6b1');
    const gap = ackToScriptSeconds(timeline);
    assert.ok(gap !== null, `a DHCP ACK and then a script fetch: ${kinds}`);
    assert.ok(gap < MAX_ACK_TO_SCRIPT_SECONDS, `DHCP ACK → boot script took ${gap.toFixed(1)} s (iPXE waited for IPv6?)`);
  });
});
