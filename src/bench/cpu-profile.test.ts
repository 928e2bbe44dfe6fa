import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hotFunctions } from './cpu-profile.js';

test('hotFunctions ranks by self time and shortens file paths', () => {
  const profile = {
    startTime: 0,
    endTime: 1_000_000, // 1 s in microseconds
    nodes: [
      { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 }, hitCount: 0 },
      { id: 2, callFrame: { functionName: 'list', url: 'file:///work/main/dist/store/sqlite-lease-store.js', lineNumber: 79 }, hitCount: 60 },
      { id: 3, callFrame: { functionName: '(idle)', url: '', lineNumber: -1 }, hitCount: 30 },
      { id: 4, callFrame: { functionName: 'list', url: 'file:///work/main/dist/store/sqlite-lease-store.js', lineNumber: 79 }, hitCount: 10 },
    ],
  };
  const hot = hotFunctions(JSON.stringify(profile), 2);
  assert.equal(hot.length, 2);
  assert.equal(hot[0]!.where, 'list (dist/store/sqlite-lease-store.js:80)');
  assert.equal(Math.round(hot[0]!.selfMs), 700);
  assert.equal(hot[0]!.share, 0.7);
  assert.equal(hot[1]!.where, '(idle)');
});

test('hotFunctions of garbage is empty', () => {
  assert.deepEqual(hotFunctions('not json'), []);
  assert.deepEqual(hotFunctions('{"nodes":[]}'), []);
});
