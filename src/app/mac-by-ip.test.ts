import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MacByIp } from './mac-by-ip.js';

test('MacByIp keeps the newest MAC for an address and forgets old ones within its bound', () => {
  const macs = new MacByIp(8);
  macs.remember('198.18.0.10', '52:54:00:00:00:01');
  macs.remember('198.18.0.10', '52:54:00:00:00:02');
  assert.equal(macs.lookup('198.18.0.10'), '52:54:00:00:00:02');
  for (let i = 0; i < 8; i++) macs.remember(`198.18.1.${i}`, '52:54:00:00:01:00');
  assert.equal(macs.lookup('198.18.0.10'), undefined, 'two turn-overs later the entry is gone');
  assert.equal(macs.lookup('198.18.1.7'), '52:54:00:00:01:00');
});

test('MacByIp keeps an entry that is asked for, and never holds more than its bound', () => {
  const macs = new MacByIp(8);
  macs.remember('198.18.0.10', '52:54:00:00:00:01');
  for (let i = 0; i < 100; i++) {
    macs.remember(`198.18.2.${i}`, '52:54:00:00:02:00');
    assert.equal(macs.lookup('198.18.0.10'), '52:54:00:00:00:01', `still known after ${i + 1} others`);
  }
  const held = ['198.18.0.10', ...Array.from({ length: 100 }, (_, i) => `198.18.2.${i}`)].filter((ip) => macs.lookup(ip) !== undefined);
  assert.ok(held.length <= 8, `${held.length} entries held`);
});
