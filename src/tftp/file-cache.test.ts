import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileCache, FileTooLargeError } from './file-cache.js';

const dir = mkdtempSync(path.join(tmpdir(), 'bf-file-cache-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
};

test('second acquire is a hit and shares the buffer; concurrent cold acquires read once', async () => {
  const cache = new FileCache({ budgetBytes: 1000, maxFileBytes: 1000 });
  const p = file('a', 'hello');
  const [x, y] = await Promise.all([cache.acquire(p), cache.acquire(p)]);
  assert.equal(x.data, y.data);
  assert.equal(cache.stats.misses, 1);
  const z = await cache.acquire(p);
  assert.equal(z.data, x.data);
  assert.equal(cache.stats.hits, 2);
  for (const f of [x, y, z]) cache.release(f);
  assert.equal(cache.stats.bytes, 5);
});

test('a changed file is read again', async () => {
  const cache = new FileCache({ budgetBytes: 1000, maxFileBytes: 1000 });
  const p = file('b', 'one');
  const first = await cache.acquire(p);
  cache.release(first);
  writeFileSync(p, 'two!');
  utimesSync(p, new Date(), new Date(Date.now() + 5000));
  const second = await cache.acquire(p);
  assert.equal(second.data.toString(), 'two!');
  assert.equal(first.data.toString(), 'one', 'holders of the old version keep it');
  assert.equal(cache.stats.bytes, 4);
  assert.equal(cache.stats.entries, 1);
});

test('idle files are evicted oldest first past the budget; files in use are kept', async () => {
  const cache = new FileCache({ budgetBytes: 10, maxFileBytes: 100 });
  const a = await cache.acquire(file('c1', '123456'));
  cache.release(a);
  const b = await cache.acquire(file('c2', '123456'));
  assert.equal(cache.stats.entries, 1, 'c1 idle and over budget: evicted');
  const c = await cache.acquire(file('c3', '1234567890ab'));
  assert.equal(cache.stats.entries, 2, 'both in use, kept although over budget');
  cache.release(b);
  assert.equal(cache.stats.entries, 1);
  cache.release(c);
  assert.equal(cache.stats.entries, 0);
  assert.equal(cache.stats.bytes, 0);
});

test('files over maxFileBytes are refused', async () => {
  const cache = new FileCache({ budgetBytes: 10, maxFileBytes: 3 });
  await assert.rejects(cache.acquire(file('big', '1234')), FileTooLargeError);
  await assert.rejects(cache.acquire(path.join(dir, 'missing')), { code: 'ENOENT' });
});
