import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseByteRange, type ByteRange } from './byte-range.js';

const partial = (start: number, end: number): ByteRange => ({ kind: 'partial', start, end });
const full: ByteRange = { kind: 'full' };
const unsatisfiable: ByteRange = { kind: 'unsatisfiable' };

test('parseByteRange: RFC 9110 §14.1.2 cases for a 1000-byte file', () => {
  const cases: [string | undefined, ByteRange][] = [
    [undefined, full],
    ['bytes=0-99', partial(0, 99)],
    ['bytes=500-599', partial(500, 599)],
    ['bytes=100-', partial(100, 999)],
    ['bytes=-100', partial(900, 999)],
    ['bytes=-5000', partial(0, 999)],
    ['bytes=0-5000', partial(0, 999)],
    ['bytes=999-999', partial(999, 999)],
    ['Bytes = 1-2', partial(1, 2)],
    ['bytes=1000-', unsatisfiable],
    ['bytes=1000-2000', unsatisfiable],
    ['bytes=-0', unsatisfiable],
    ['bytes=5-4', full],
    ['bytes=-', full],
    ['bytes=a-b', full],
    ['items=0-1', full],
    ['bytes 0-1', full],
    ['bytes=0-1,5-6', full],
    ['', full],
  ];
  for (const [header, expected] of cases) assert.deepEqual(parseByteRange(header, 1000), expected, String(header));
});

test('parseByteRange: an empty file satisfies no range', () => {
  assert.deepEqual(parseByteRange('bytes=0-', 0), unsatisfiable);
  assert.deepEqual(parseByteRange('bytes=-10', 0), unsatisfiable);
  assert.deepEqual(parseByteRange(undefined, 0), full);
});

test('parseByteRange: a partial range always lies inside the file', () => {
  fc.assert(
    fc.property(fc.string(), fc.nat(1 << 30), (header, size) => {
      const r = parseByteRange(header, size);
      if (r.kind === 'partial') return r.start >= 0 && r.start <= r.end && r.end < size;
      return true;
    }),
  );
  fc.assert(
    fc.property(fc.nat(5000), fc.option(fc.nat(5000)), fc.nat(3000), (a, b, size) => {
      const r = parseByteRange(`bytes=${a}-${b ?? ''}`, size);
      if (r.kind === 'partial') return r.start === a && r.end === Math.min(b ?? size - 1, size - 1);
      return r.kind === 'unsatisfiable' ? a >= size : b !== null && b < a;
    }),
  );
});
