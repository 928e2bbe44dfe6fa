import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpuBetween, parseProcStat, processCpu } from './process-cpu.js';

test('utime and stime are read after the command name, even one with spaces and parentheses', () => {
  const line = '4242 (node (x) y) S 1 4242 4242 0 -1 4194560 1000 0 0 0 731 129 0 0 20 0 11 0 12345 1000000 5000 18446744073709551615';
  assert.deepEqual(parseProcStat(line), { utimeTicks: 731, stimeTicks: 129 });
  assert.equal(parseProcStat('garbage'), null);
  assert.equal(parseProcStat('1 (x) S 1 2'), null);
});

test('this process: CPU grows with work, a gone pid is null', () => {
  const before = processCpu(process.pid);
  assert.ok(before);
  const end = Date.now() + 120;
  let x = 0;
  while (Date.now() < end) x += Math.sqrt(x + 1);
  const after = processCpu(process.pid);
  assert.ok(after && x > 0);
  const used = cpuBetween(before, after);
  assert.ok(used.userSeconds + used.systemSeconds >= 0.05, `used ${JSON.stringify(used)}`);
  assert.equal(processCpu(2 ** 22 + 1), null);
});
