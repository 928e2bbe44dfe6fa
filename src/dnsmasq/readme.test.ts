import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { DNSMASQ_PROBLEM_CODES } from './problems.js';

test('every dnsmasq problem code is documented in src/dnsmasq/README.md', () => {
  const readme = readFileSync(new URL('../../src/dnsmasq/README.md', import.meta.url), 'utf8');
  const documented = new Set([...readme.matchAll(/^\| `(DNSMASQ_[A-Z0-9_]+)` \|/gm)].map((m) => m[1]));
  assert.deepEqual([...documented].sort(), [...DNSMASQ_PROBLEM_CODES].sort());
});
