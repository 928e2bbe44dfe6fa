import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isInside, resolveInRoots, sanitizeName } from './safe-path.js';

test('sanitizeName: leading slashes, backslashes and dots', () => {
  assert.deepEqual(sanitizeName('pxelinux.0'), { ok: true, name: 'pxelinux.0' });
  assert.deepEqual(sanitizeName('/grub/grub.cfg'), { ok: true, name: 'grub/grub.cfg' });
  assert.deepEqual(sanitizeName('//a//./b/'), { ok: true, name: 'a/b' });
  assert.deepEqual(sanitizeName('Boot\\x64\\wdsmgfw.efi'), { ok: true, name: 'Boot/x64/wdsmgfw.efi' });
  assert.deepEqual(sanitizeName('...'), { ok: true, name: '...' }, 'three dots is a name, not a parent');
});

test('sanitizeName: traversal, NUL and empty names are refused', () => {
  for (const bad of ['../etc/passwd', '/../../etc/passwd', '..\\..\\etc\\passwd', 'a/../../b', 'a/..', '..']) {
    assert.deepEqual(sanitizeName(bad), { ok: false, reason: 'dot-dot' }, bad);
  }
  assert.deepEqual(sanitizeName('a\0b'), { ok: false, reason: 'nul' });
  assert.deepEqual(sanitizeName('/'), { ok: false, reason: 'empty' });
  assert.deepEqual(sanitizeName('./'), { ok: false, reason: 'empty' });
});

test('isInside', () => {
  assert.equal(isInside('/srv/tftp', '/srv/tftp/a'), true);
  assert.equal(isInside('/srv/tftp', '/srv/tftp'), true);
  assert.equal(isInside('/srv/tftp', '/srv/tftpx/a'), false);
  assert.equal(isInside('/srv/tftp', '/etc/passwd'), false);
  assert.equal(isInside('/srv/tftp', '/srv/tftp/..foo'), true);
});

let dir = '';
let root = '';
let extra = '';
before(() => {
  dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'bf-safe-path-')));
  root = path.join(dir, 'root');
  extra = path.join(dir, 'extra');
  mkdirSync(path.join(root, 'sub'), { recursive: true });
  mkdirSync(extra);
  writeFileSync(path.join(root, 'a.bin'), 'aaa');
  writeFileSync(path.join(root, 'sub', 'b.bin'), 'b');
  writeFileSync(path.join(extra, 'ipxe.efi'), 'ipxe');
  writeFileSync(path.join(extra, 'a.bin'), 'shadowed');
  writeFileSync(path.join(dir, 'secret'), 's');
  symlinkSync('/etc', path.join(root, 'etc'));
  symlinkSync(path.join(dir, 'secret'), path.join(root, 'secret-link'));
  symlinkSync('sub/b.bin', path.join(root, 'inner-link'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('resolveInRoots: root first, then extra dirs; directories are not files', async () => {
  assert.deepEqual(await resolveInRoots('a.bin', [root, extra]), { kind: 'file', path: path.join(root, 'a.bin'), size: 3 });
  assert.deepEqual(await resolveInRoots('ipxe.efi', [root, extra]), { kind: 'file', path: path.join(extra, 'ipxe.efi'), size: 4 });
  assert.deepEqual(await resolveInRoots('sub', [root, extra]), { kind: 'not-found' });
  assert.deepEqual(await resolveInRoots('nope', [root, extra]), { kind: 'not-found' });
  assert.deepEqual(await resolveInRoots('a.bin/x', [root]), { kind: 'not-found' });
});

test('resolveInRoots: symlinks inside the root work, symlinks out are denied', async () => {
  assert.deepEqual(await resolveInRoots('inner-link', [root]), { kind: 'file', path: path.join(root, 'sub', 'b.bin'), size: 1 });
  assert.deepEqual(await resolveInRoots('etc/passwd', [root, extra]), { kind: 'denied' });
  assert.deepEqual(await resolveInRoots('secret-link', [root]), { kind: 'denied' });
});
