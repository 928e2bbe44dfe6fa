/**
 * Lab smoke test: the namespace topology comes up, VMs start and show their firmware on
 * the serial log, and stopping leaves no namespace and no QEMU behind. Root only.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canUseNetns, destroyAll } from './netns.js';
import { addClientNs, bootLab } from './topology.js';
import { startVm } from './qemu.js';

const skip = canUseNetns() ? false : 'needs root and iproute2 (creates network namespaces and taps)';
const logDir = mkdtempSync(join(tmpdir(), 'bootfleet-labtest-'));

after(async () => {
  await destroyAll();
  rmSync(logDir, { recursive: true, force: true });
});

function namespaces(): string[] {
  return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter(Boolean);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** PIDs of processes whose command line contains `needle` (read-only scan of /proc). */
function processesWith(needle: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'latin1').includes(needle)) found.push(Number(entry));
    } catch {
      /* exited meanwhile */
    }
  }
  return found;
}

test('lab: BIOS and UEFI VMs start on the bridge, and teardown leaves nothing behind', { skip, timeout: 90_000 }, async () => {
  const lab = await bootLab({ taps: 2 });
  const names = [lab.lan.name, lab.server.name];
  assert.ok(names.every((n) => namespaces().includes(n)));
  assert.match(lab.server.run('ip', ['-4', 'addr', 'show', 'dev', 'bf0']), /198\.18\.0\.2\/24/);
  assert.doesNotMatch(lab.lan.run('ip', ['-4', 'addr', 'show', 'dev', 'br0']), /inet /, 'the bridge has no address');

  const client = addClientNs(lab, 'smoke', '52:54:00:bf:0f:01');
  names.push(client.name);
  assert.match(client.run('ip', ['link', 'show', 'eth0']), /52:54:00:bf:0f:01/);

  const tag = `labtest${process.pid}`;
  const [tap0, tap1] = lab.tapNames;
  assert.ok(tap0 && tap1);
  const bios = await startVm({ ns: lab.lan, tapName: tap0, mac: '52:54:00:bf:0f:02', firmware: 'bios', name: `${tag}-bios`, logDir });
  const uefi = await startVm({ ns: lab.lan, tapName: tap1, mac: '52:54:00:bf:0f:03', firmware: 'uefi', name: `${tag}-uefi`, logDir });

  // Measured: SeaBIOS + iPXE banner within ~1 s, OVMF's PXE within ~4 s under TCG; 20 s leaves room for a busy CI box.
  await bios.waitFor(/SeaBIOS/, 20_000);
  await bios.waitFor(/iPXE/, 20_000);
  await uefi.waitFor(/Start PXE over IPv4/, 20_000);

  // A timeout names the pattern and shows the serial tail.
  await assert.rejects(bios.waitFor(/NEVER-PRINTED/, 500), (err: Error) => {
    assert.match(err.message, /NEVER-PRINTED/);
    assert.match(err.message, /last serial lines[\s\S]*iPXE/);
    return true;
  });

  await Promise.all([bios.stop(), uefi.stop()]);
  assert.notEqual(await bios.exited, undefined);
  assert.equal(alive(bios.pid), false);
  assert.equal(alive(uefi.pid), false);

  await lab.destroy();
  const left = namespaces();
  assert.deepEqual(names.filter((n) => left.includes(n)), [], 'no lab namespace remains');
  assert.deepEqual(processesWith(`${tag}-`), [], 'no QEMU of this test remains');
});
