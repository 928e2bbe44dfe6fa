import { test } from 'node:test';
import assert from 'node:assert/strict';
import { methodsFor, parseMachineFilePath } from './install-routes.js';

const q = (s = ''): URLSearchParams => new URLSearchParams(s);

test('per-machine paths: callback, preseed, cloud-init; MACs in any form bootfleet reads', () => {
  assert.deepEqual(parseMachineFilePath('/install/52-54-00-12-34-56/done', q('token=abc')), { kind: 'install-done', mac: '52:54:00:12:34:56', token: 'abc' });
  assert.deepEqual(parseMachineFilePath('/install/52:54:00:12:34:56/done', q()), { kind: 'install-done', mac: '52:54:00:12:34:56', token: null });
  assert.deepEqual(parseMachineFilePath('/preseed/525400123456.cfg', q()), { kind: 'preseed', mac: '52:54:00:12:34:56' });
  assert.deepEqual(parseMachineFilePath('/cloud-init/52-54-00-12-34-56/user-data', q()), { kind: 'cloud-init', mac: '52:54:00:12:34:56', file: 'user-data' });
  assert.deepEqual(methodsFor({ kind: 'install-done', mac: 'm', token: null }), ['GET', 'POST'], 'HEAD must not mark anything installed');
  assert.deepEqual(methodsFor({ kind: 'preseed', mac: 'm' }), ['GET', 'HEAD']);
});

test('anything else is not a per-machine path (served as a static file, or 404)', () => {
  for (const p of ['/install/52-54-00-12-34-56', '/install/nope/done', '/install/52-54-00-12-34-56/done/x', '/preseed/52-54-00-12-34-56', '/preseed/x.cfg', '/cloud-init/52-54-00-12-34-56/network-config', '/cloud-init/52-54-00-12-34-56/', 'install/52-54-00-12-34-56/done', '/vmlinuz', '/']) {
    assert.equal(parseMachineFilePath(p, q()), null, p);
  }
});
