import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RepeatFilter } from './repeat-filter.js';

test('once per window per key, bounded', () => {
  let t = 0;
  const f = new RepeatFilter(1000, 3, () => t);
  assert.deepEqual(['a', 'a', 'b', 'a'].map((k) => f.first(k)), [true, false, true, false]);
  t = 999;
  assert.equal(f.first('a'), false);
  t = 1000;
  assert.equal(f.first('a'), true, 'again once the window has passed');
  assert.equal(f.first('c'), true);
  assert.equal(f.first('d'), true, 'full: emptied, so the new key still passes');
  assert.equal(f.first('a'), true, 'and an old one may pass again early (more warnings, never fewer)');
});
