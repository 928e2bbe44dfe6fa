import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Netns, canUseNetns, destroyAll } from './netns.js';
import { ISCSI_LUN, startIscsiTarget } from './iscsi-target.js';

function hasTgtd(): boolean {
  try {
    execFileSync('tgtd', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const skip = !canUseNetns() ? 'needs root to create network namespaces' : !hasTgtd() ? 'needs tgtd (Debian package tgt)' : false;

describe('iSCSI target (tgtd) in a namespace', { skip }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bootfleet-iscsi-'));
  after(async () => {
    await destroyAll();
    rmSync(dir, { recursive: true, force: true });
  });

  test('listens on the namespace address only, exports LUN 1 read-only, and leaves nothing once stopped', async () => {
    const ns = Netns.create('iscsi');
    ns.run('ip', ['addr', 'add', '198.18.0.2/32', 'dev', 'lo']);
    const backing = path.join(dir, 'disk.img');
    writeFileSync(backing, Buffer.alloc(1024 * 1024));
    const target = await startIscsiTarget(ns, { addr: '198.18.0.2', iqn: 'iqn.2026-11.lab.bootfleet:unit', backingFile: backing, deviceType: 'disk' });
    const socket = `/var/run/tgtd/socket.${target.controlPort}`;
    try {
      assert.equal(target.rootPath, `iscsi:198.18.0.2:::${ISCSI_LUN}:iqn.2026-11.lab.bootfleet:unit`);
      assert.match(ns.run('ss', ['-Hltn']), /198\.18\.0\.2:3260\b/);
      // The host's own network has no such listener: tgtd is only in the namespace.
      assert.doesNotMatch(execFileSync('ss', ['-Hltn'], { encoding: 'utf8' }), /198\.18\.0\.2:3260\b/);
      const show = ns.run('tgtadm', ['-C', String(target.controlPort), '--lld', 'iscsi', '--op', 'show', '--mode', 'target']);
      assert.match(show, /LUN: 1\s+Type: disk[\s\S]*Readonly: Yes[\s\S]*Backing store path: .*disk\.img/);
      assert.deepEqual(target.initiators(), []);
      assert.ok(existsSync(socket));
    } finally {
      await target.stop();
    }
    assert.throws(() => process.kill(target.pid, 0), 'tgtd has exited');
    assert.equal(existsSync(socket), false, 'its management socket is removed');
    assert.equal(existsSync(`${socket}.lock`), false);
    await target.stop();
  });
});
