import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SseParser } from './sse-reader.js';

test('events split anywhere across pieces come out whole; comments are skipped; data lines join', () => {
  const text = ': connected\n\nevent: boot\ndata: {"a":1}\n\n: ping\n\nevent: boot\ndata: two\ndata: lines\n\n';
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: text.length }), { maxLength: 6 }), (cuts) => {
      const points = [...new Set(cuts)].sort((a, b) => a - b);
      const parser = new SseParser();
      const got = [];
      let from = 0;
      for (const p of [...points, text.length]) {
        got.push(...parser.push(text.slice(from, p)));
        from = p;
      }
      assert.deepEqual(got, [
        { event: 'boot', data: '{"a":1}' },
        { event: 'boot', data: 'two\nlines' },
      ]);
    }),
  );
});
