import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '../config/schema.js';
import { TokenTable, loadApiTokens } from './api-tokens.js';
import { EventRing } from './event-ring.js';

const dir = mkdtempSync(join(tmpdir(), 'bootfleet-tokens-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const T1 = 'first-token-0123456789abcdef';
const T2 = 'second-token-0123456789abcdef';

test('tokens come from the config and from tokensFile', () => {
  const file = join(dir, 'tokens.yaml');
  writeFileSync(file, `- { name: ci, token: ${T2}, role: read }\n`);
  const config = configSchema.parse({ interfaces: [{ name: 'eth0' }], api: { tokens: [{ name: 'ops', token: T1, role: 'admin' }], tokensFile: file } });
  assert.deepEqual(loadApiTokens(config.api), [
    { name: 'ops', token: T1, role: 'admin' },
    { name: 'ci', token: T2, role: 'read' },
  ]);
});

test('a bad tokens file is refused with the file and the problem', () => {
  const file = join(dir, 'bad.yaml');
  writeFileSync(file, '- { name: ci, token: short, role: read }\n');
  const config = configSchema.parse({ interfaces: [{ name: 'eth0' }], api: { tokensFile: file } });
  assert.throws(() => loadApiTokens(config.api), /bad\.yaml: \[0\.token\] a token of at least 16 characters/);
  const missing = configSchema.parse({ interfaces: [{ name: 'eth0' }], api: { tokensFile: join(dir, 'absent.yaml') } });
  assert.throws(() => loadApiTokens(missing.api), /absent\.yaml: ENOENT/);
  assert.equal(configSchema.safeParse({ interfaces: [{ name: 'eth0' }], api: { tokensFile: 'relative.yaml' } }).success, false, 'tokensFile must be absolute');
});

test('the API is on loopback, port 8081 unless the config says otherwise', () => {
  const api = configSchema.parse({ interfaces: [{ name: 'eth0' }] }).api;
  assert.deepEqual(api, { enabled: true, address: '127.0.0.1', port: 8081, tokens: [] });
});

test('bearer tokens: missing, malformed, unknown, known', () => {
  const table = new TokenTable([
    { name: 'ops', token: T1, role: 'admin' },
    { name: 'ci', token: T2, role: 'read' },
  ]);
  assert.deepEqual(table.authenticate(undefined), { ok: false, why: 'missing' });
  assert.deepEqual(table.authenticate('Basic abc'), { ok: false, why: 'invalid' });
  assert.deepEqual(table.authenticate(`Bearer ${T1}x`), { ok: false, why: 'invalid' });
  assert.deepEqual(table.authenticate(`Bearer ${T1.slice(0, -1)}`), { ok: false, why: 'invalid' });
  assert.deepEqual(table.authenticate(`Bearer ${T1}`), { ok: true, caller: { name: 'ops', role: 'admin' } });
  assert.deepEqual(table.authenticate(`bearer  ${T2}`), { ok: true, caller: { name: 'ci', role: 'read' } }, 'the scheme is case-insensitive (RFC 9110 §11.1)');
  assert.deepEqual(new TokenTable([]).authenticate(`Bearer ${T1}`), { ok: false, why: 'invalid' });
});

test('the event window keeps the last N boot events, not the API\'s own', () => {
  const ring = new EventRing(3);
  for (let i = 0; i < 5; i++) ring.push({ time: 't', kind: 'dhcp.discover', level: 'info', msg: `n${i}`, mac: i % 2 ? 'a' : 'b' });
  ring.push({ time: 't', kind: 'api.request', level: 'debug', msg: 'GET' });
  assert.deepEqual(ring.recent().map((e) => e.msg), ['n2', 'n3', 'n4']);
  assert.deepEqual(ring.recent({ mac: 'b' }).map((e) => e.msg), ['n2', 'n4']);
  assert.deepEqual(ring.recent({ limit: 1 }).map((e) => e.msg), ['n4']);
});
