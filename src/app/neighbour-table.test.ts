import { test } from 'node:test';
import assert from 'node:assert/strict';
import { neighbourMac, parseProcNetArp } from './neighbour-table.js';

// As Linux 6.x prints it: a complete entry, an incomplete one (flags 0x0, zero MAC), a
// permanent one (0x6), and one on another device.
const SAMPLE = `IP address       HW type     Flags       HW address            Mask     Device
198.18.22.2      0x1         0x2         52:54:00:22:00:0B     *        s0
198.18.22.9      0x1         0x0         00:00:00:00:00:00     *        s0
198.18.22.3      0x1         0x6         52:54:00:22:00:0c     *        s0
198.18.5.1       0x1         0x2         02:00:00:00:05:01     *        s1
`;

test('the neighbour table: complete entries by address, MACs lower-cased, incomplete ones left out', () => {
  const t = parseProcNetArp(SAMPLE);
  assert.deepEqual([...t], [
    ['198.18.22.2', '52:54:00:22:00:0b'],
    ['198.18.22.3', '52:54:00:22:00:0c'],
    ['198.18.5.1', '02:00:00:00:05:01'],
  ]);
  assert.equal(neighbourMac('198.18.22.2', () => SAMPLE), '52:54:00:22:00:0b');
  assert.equal(neighbourMac('198.18.22.9', () => SAMPLE), undefined, 'still resolving: no MAC to give');
  assert.equal(neighbourMac('198.18.22.2', () => { throw new Error('no procfs'); }), undefined);
  assert.equal(parseProcNetArp('').size, 0);
  assert.equal(parseProcNetArp('header only\ngarbage\n1.2.3.4 0x1 zz 52:54:00:00:00:01\n').size, 0);
});
