import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parentPid, processTree, statusKiB, treeMemoryMiB } from './storm-rss.js';

test('statusKiB reads VmHWM, VmRSS and its anonymous and file parts; null when absent (a kernel thread, a gone process)', () => {
  const status = 'Name:\tnode\nVmPeak:\t 1200000 kB\nVmHWM:\t  153600 kB\nVmRSS:\t   98304 kB\nRssAnon:\t   44032 kB\nRssFile:\t   54272 kB\n';
  assert.equal(statusKiB(status, 'VmHWM'), 153600);
  assert.equal(statusKiB(status, 'VmRSS'), 98304);
  assert.equal(statusKiB(status, 'RssAnon'), 44032);
  assert.equal(statusKiB(status, 'RssFile'), 54272);
  assert.equal(statusKiB('Name:\tkthreadd\n', 'VmHWM'), null);
});

test('parentPid survives a process name with spaces and parentheses', () => {
  assert.equal(parentPid('1234 (nginx: worker (x)) S 1200 1234 1234 0 -1'), 1200);
  assert.equal(parentPid('garbage'), null);
});

test('this process: its own tree includes itself, and its peak is at least its current RSS', () => {
  assert.ok(processTree(process.pid).includes(process.pid));
  // RSS first: the process may grow between the two reads, and the peak is read after.
  const now = treeMemoryMiB([process.pid], 'VmRSS');
  const peak = treeMemoryMiB([process.pid], 'VmHWM');
  assert.ok(peak !== null && now !== null && peak >= now && now > 1, `${peak} ${now}`);
  assert.equal(treeMemoryMiB([2 ** 22 + 7], 'VmHWM'), null);
  const anon = treeMemoryMiB([process.pid], 'RssAnon');
  const file = treeMemoryMiB([process.pid], 'RssFile');
  assert.ok(anon !== null && file !== null && anon > 1 && file > 1, `${anon} ${file}`);
});
