import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { cloudInitProfileSchema } from '../config/schema.js';
import { renderCloudInit } from './render-cloud-init.js';
import { testContext } from './render-test-context.js';

const spec = cloudInitProfileSchema.parse({
  kind: 'cloud-init',
  kernel: 'vmlinuz',
  userData: { hostname: '{{ hostname }}', packages: ['curl'], runcmd: [['curl', '-fsS', '{{ installDoneUrl }}']], write_files: [{ path: '/etc/rack', content: 'rack {{ labels.rack }}\n' }] },
  metaData: { 'public-keys': ['ssh-ed25519 AAAA {{ mac }}'] },
});

test('cloud-init: meta-data names the instance and host; user-data is #cloud-config written by the yaml library', () => {
  const ctx = testContext('ci', { installToken: 'T'.repeat(43) });
  const meta = renderCloudInit(spec, 'meta-data', ctx);
  assert.ok(meta.ok);
  assert.deepEqual(parse(meta.text), { 'instance-id': 'bootfleet-525400123456', 'local-hostname': 'db-1', 'public-keys': ['ssh-ed25519 AAAA 52:54:00:12:34:56'] });
  const user = renderCloudInit(spec, 'user-data', ctx);
  assert.ok(user.ok);
  assert.ok(user.text.startsWith('#cloud-config\n'));
  assert.deepEqual(parse(user.text), {
    hostname: 'db-1',
    packages: ['curl'],
    runcmd: [['curl', '-fsS', `http://198.18.0.2:8080/install/52-54-00-12-34-56/done?token=${'T'.repeat(43)}`]],
    write_files: [{ path: '/etc/rack', content: 'rack 3\n' }],
  });
  const vendor = renderCloudInit(spec, 'vendor-data', ctx);
  assert.deepEqual(vendor, { ok: true, text: '' }, 'no vendor data: an empty file');
});

test('cloud-init: a template error names the data path', () => {
  const bad = cloudInitProfileSchema.parse({ kind: 'cloud-init', kernel: 'k', userData: { runcmd: [['echo', '{{ nope }}']] } });
  const r = renderCloudInit(bad, 'user-data', testContext('ci'));
  assert.ok(!r.ok);
  assert.match(r.error, /^profile ci: userData\.runcmd\[0\]\[1\], line 1, column 1: unknown variable "nope"/);
});
