import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecentMap } from './recent-map.js';

test('RecentMap keeps every key set or touched within the last `keep` sets, and holds at most twice that', () => {
  const keep = 10;
  const m = new RecentMap<number, string>(keep);
  m.set(-1, 'kept');
  for (let i = 0; i < 1000; i++) {
    m.set(i, `v${i}`);
    assert.equal(m.touch(-1), 'kept', `touched key kept after ${i + 1} sets`);
    for (let back = 0; back < keep - 1 && back <= i; back++) assert.equal(m.get(i - back), `v${i - back}`, `set ${back} sets ago`);
  }
  let held = 0;
  for (let i = -1; i < 1000; i++) if (m.get(i) !== undefined) held++;
  assert.ok(held <= 2 * keep, `${held} keys held`);
  assert.equal(m.get(0), undefined, 'an old untouched key is gone');
});

test('RecentMap: get does not keep a key alive; delete and clear remove from both generations', () => {
  const m = new RecentMap<string, number>(2);
  m.set('a', 1);
  m.set('b', 2); // turn-over: a, b are old now
  assert.equal(m.get('a'), 1);
  m.set('c', 3);
  m.set('d', 4); // turn-over: a, b dropped (never touched)
  assert.equal(m.get('a'), undefined);
  assert.equal(m.get('c'), 3);
  m.delete('c');
  assert.equal(m.get('c'), undefined);
  m.clear();
  assert.equal(m.get('d'), undefined);
});
