import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { colonMac, ethernetKeyHex } from './hardware-address-text.js';

const plainColon = (b: Uint8Array, at: number): string => Array.from(b.subarray(at, at + 6), (x) => x.toString(16).padStart(2, '0')).join(':');
const plainKey = (b: Uint8Array, at: number): string => '01' + Buffer.from(b.subarray(at, at + 6)).toString('hex');

test('property: the text is the bytes, whatever was asked before (memoised or not)', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 6, maxLength: 16 }), fc.nat({ max: 10 }), (bytes, start) => {
      const at = Math.min(start, bytes.length - 6);
      assert.equal(colonMac(bytes, at), plainColon(bytes, at));
      assert.equal(ethernetKeyHex(bytes, at), plainKey(bytes, at));
      // Asked again: the same answer.
      assert.equal(colonMac(bytes, at), plainColon(bytes, at));
    }),
    { numRuns: 2000 },
  );
});

test('past its memory (a flood of distinct MACs), every answer is still right', () => {
  const b = new Uint8Array(6);
  for (let i = 0; i < 200_000; i += 1) {
    b[3] = (i >> 16) & 0xff;
    b[4] = (i >> 8) & 0xff;
    b[5] = i & 0xff;
    if (i % 9973 === 0 || i < 3) {
      assert.equal(colonMac(b, 0), plainColon(b, 0));
      assert.equal(ethernetKeyHex(b, 0), plainKey(b, 0));
    } else {
      colonMac(b, 0);
    }
  }
  b.set([0x52, 0x54, 0, 0, 0, 1]);
  assert.equal(colonMac(b, 0), '52:54:00:00:00:01');
  assert.equal(ethernetKeyHex(b, 0), '01525400000001');
});
