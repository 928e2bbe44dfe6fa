import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { configProblemCodes } from './config-problem.js';

test('every config problem code is documented in src/config/README.md', () => {
  const readme = readFileSync(new URL('../../src/config/README.md', import.meta.url), 'utf8');
  const documented = new Set([...readme.matchAll(/^\| `(CFG_[A-Z_]+)` \|/gm)].map((m) => m[1]));
  assert.deepEqual([...documented].sort(), [...configProblemCodes].sort());
});
