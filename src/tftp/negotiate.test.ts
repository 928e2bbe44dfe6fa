import { test } from 'node:test';
import assert from 'node:assert/strict';
import { negotiate } from './negotiate.js';

const limits = { maxBlksize: 8192, maxWindowsize: 16, defaultTimeoutSec: 2 };

test('EDK2: tsize=0 blksize=1468 windowsize=4 are all acknowledged, in order', () => {
  const n = negotiate([['tsize', '0'], ['blksize', '1468'], ['windowsize', '4']], 1_049_600, limits);
  assert.deepEqual(n, {
    blksize: 1468,
    windowsize: 4,
    timeoutSec: 2,
    oack: [['tsize', '1049600'], ['blksize', '1468'], ['windowsize', '4']],
  });
});

test('iPXE blksize=1432 tsize=0, pxelinux tsize=0 blksize=1408', () => {
  assert.deepEqual(negotiate([['blksize', '1432'], ['tsize', '0']], 10, limits).oack, [['blksize', '1432'], ['tsize', '10']]);
  assert.equal(negotiate([['tsize', '0'], ['blksize', '1408']], 10, limits).blksize, 1408);
});

test('no options: no OACK, RFC 1350 defaults', () => {
  assert.deepEqual(negotiate([], 5, limits), { blksize: 512, windowsize: 1, timeoutSec: 2, oack: null });
});

test('blksize and windowsize are clamped down to the limits, never raised', () => {
  const n = negotiate([['blksize', '65464'], ['windowsize', '64']], 1, limits);
  assert.equal(n.blksize, 8192);
  assert.equal(n.windowsize, 16);
  assert.deepEqual(n.oack, [['blksize', '8192'], ['windowsize', '16']]);
  assert.equal(negotiate([['blksize', '65464']], 1, { ...limits, maxBlksize: 100000 }).blksize, 65464);
  assert.equal(negotiate([['blksize', '8']], 1, limits).blksize, 8);
});

test('invalid values are left out of the OACK', () => {
  const n = negotiate([['blksize', '7'], ['windowsize', '0'], ['timeout', '256'], ['tsize', 'x'], ['blksize', '1024']], 1, limits);
  assert.deepEqual(n, { blksize: 512, windowsize: 1, timeoutSec: 2, oack: null }, 'first occurrence counts, even if invalid');
  assert.equal(negotiate([['blksize', '-1']], 1, limits).oack, null);
  assert.equal(negotiate([['blksize', '1e3']], 1, limits).oack, null);
});

test('timeout is accepted as asked (RFC 2349), unknown options ignored', () => {
  const n = negotiate([['timeout', '5'], ['multicast', ''], ['utimeout', '1000']], 1, limits);
  assert.equal(n.timeoutSec, 5);
  assert.deepEqual(n.oack, [['timeout', '5']]);
});
