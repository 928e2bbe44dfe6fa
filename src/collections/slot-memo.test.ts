import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SlotMemo } from './slot-memo.js';

test('SlotMemo gives back the last value set for a key, or nothing: never another key\'s', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 2 ** 48 - 1 }), fc.string()), { maxLength: 300 }), fc.integer({ min: 1, max: 6 }), (sets, log2) => {
      const memo = new SlotMemo<string>(log2);
      const last = new Map<number, string>();
      for (const [k, v] of sets) {
        memo.set(k, v);
        last.set(k, v);
        // The key just set is always there.
        assert.equal(memo.get(k), v);
      }
      for (const [k, v] of last) {
        const got = memo.get(k);
        if (got !== undefined) assert.equal(got, v);
      }
    }),
  );
});

test('SlotMemo: an empty memo knows no key, 0 included; keys spread over the slots', () => {
  const memo = new SlotMemo<number>(16);
  assert.equal(memo.get(0), undefined);
  // 60 000 MACs of one vendor prefix, in sequence as a lab makes them: almost all keep their slot.
  const base = 0x525400000000;
  for (let i = 0; i < 60_000; i++) memo.set(base + i, i);
  let kept = 0;
  for (let i = 0; i < 60_000; i++) if (memo.get(base + i) === i) kept++;
  assert.ok(kept > 55_000, `${kept} of 60 000 kept in 65 536 slots`);
  // Dotted quads of one /16, as IPv4 keys.
  const ips = new SlotMemo<number>(16);
  const net = (198 * 256 + 18) * 65536;
  for (let i = 0; i < 50_000; i++) ips.set(net + i, i);
  let ipsKept = 0;
  for (let i = 0; i < 50_000; i++) if (ips.get(net + i) === i) ipsKept++;
  assert.ok(ipsKept > 45_000, `${ipsKept} of 50 000 kept`);
});
