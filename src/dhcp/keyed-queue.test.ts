import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { KeyedQueue } from './keyed-queue.js';

test('one key runs in order, one task at a time; other keys run alongside', async () => {
  const q = new KeyedQueue();
  const log: string[] = [];
  let running = 0;
  let most = 0;
  const task = (name: string, ms: number) => async (): Promise<void> => {
    running++;
    most = Math.max(most, running);
    log.push(`start ${name}`);
    await sleep(ms);
    log.push(`end ${name}`);
    running--;
  };
  q.push('a', task('a1', 30), (e) => assert.fail(String(e)));
  q.push('a', task('a2', 1), (e) => assert.fail(String(e)));
  q.push('b', task('b1', 1), (e) => assert.fail(String(e)));
  assert.equal(q.size, 3);
  await q.drain();
  assert.equal(q.size, 0);
  assert.ok(log.indexOf('end a1') < log.indexOf('start a2'), 'a2 waits for a1');
  assert.ok(log.indexOf('end b1') < log.indexOf('end a1'), 'b1 does not wait for a1');
  assert.equal(most, 2);
});

test('a failing task goes to onError and the next one of its key still runs', async () => {
  const q = new KeyedQueue();
  const errors: unknown[] = [];
  let ran = false;
  q.push('a', () => Promise.reject(new Error('boom')), (e) => errors.push(e));
  q.push('a', async () => void (ran = true), (e) => errors.push(e));
  await q.drain();
  assert.equal(errors.length, 1);
  assert.ok(ran);
});

test('a task that throws before returning a Promise, or an onError that throws, still lets the key go on', async () => {
  const q = new KeyedQueue();
  const seen: string[] = [];
  q.push('a', () => { throw new Error('sync'); }, (e) => seen.push(`error ${(e as Error).message}`));
  q.push('a', () => Promise.reject(new Error('async')), () => { throw new Error('reporter broke'); });
  q.push('a', async () => void seen.push('third ran'), (e) => seen.push(`error ${String(e)}`));
  await q.drain();
  assert.deepEqual(seen, ['error sync', 'third ran']);
  assert.equal(q.size, 0);
});
