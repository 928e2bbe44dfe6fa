import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MacByIp } from './mac-by-ip.js';

test('MacByIp keeps the newest MAC for an address and forgets old ones within its bound', () => {
  const macs = new MacByIp(4);
  macs.remember('198.18.0.10', '52:54:00:00:00:01');
  macs.remember('198.18.0.10', '52:54:00:00:00:02');
  assert.equal(macs.lookup('198.18.0.10'), '52:54:00:00:00:02');
  for (let i = 0; i < 8; i++) macs.remember(`198.18.1.${i}`, '52:54:00:00:01:00');
  assert.equal(macs.lookup('198.18.0.10'), undefined, 'two turn-overs later the entry is gone');
  assert.equal(macs.lookup('198.18.1.7'), '52:54:00:00:01:00');
});

test('MacByIp: a renewal of an unchanged lease keeps the address among the recent ones, as does a lookup', () => {
  const macs = new MacByIp(8);
  const others = (from: number): void => {
    for (let i = 0; i < 7; i++) macs.remember(`198.18.1.${from + i}`, '52:54:00:00:01:00');
  };
  macs.remember('198.18.0.10', '52:54:00:00:00:01');
  macs.remember('198.18.0.11', '52:54:00:00:00:02');
  others(0);
  macs.remember('198.18.0.10', '52:54:00:00:00:01'); // its renewal ACK, 8 addresses later
  assert.equal(macs.lookup('198.18.0.11'), '52:54:00:00:00:02', 'asked for 8 addresses later');
  others(10);
  assert.equal(macs.lookup('198.18.0.10'), '52:54:00:00:00:01', 'renewed 8 addresses ago: kept');
  assert.equal(macs.lookup('198.18.0.11'), '52:54:00:00:00:02', 'asked for 8 addresses ago: kept');
});
