import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { test } from 'node:test';
import { formatProblems, loadConfigFile } from './load.js';

// Compiled to dist/config/, so the repo root is two levels up either way.
const example = fileURLToPath(new URL('../../examples/bootfleet.yaml', import.meta.url));

test('examples/bootfleet.yaml loads with no problems and no warnings', () => {
  const r = loadConfigFile(example);
  assert.ok(r.ok, r.ok ? '' : formatProblems(r.errors));
  assert.deepEqual(r.warnings, []);
  assert.equal(r.config.interfaces[0]?.name, 'eth1');
  assert.equal(r.config.interfaces[0]?.mode, 'full');
  assert.equal(r.config.dhcp.subnets[0]?.subnet, '198.18.0.0/24');
  assert.equal(r.config.dataDir, path.join(path.dirname(example), 'data'));
  assert.ok(r.config.profiles[r.config.boot.defaultProfile], 'the default profile exists');
});
