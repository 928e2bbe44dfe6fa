import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SqliteFleetStore } from '../store/fleet-sqlite-store.js';

const CLI = fileURLToPath(new URL('./main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'bootfleet-explain-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const config = join(dir, 'bootfleet.yaml');
writeFileSync(
  config,
  [
    'dataDir: ./data',
    'interfaces: [{ name: eth0, serverAddress: 198.18.0.1 }]',
    'boot: { defaultProfile: base }',
    'profiles:',
    '  base: { kernel: base/vmlinuz }',
    '  uefi: { kernel: uefi/vmlinuz }',
    'groups:',
    '  uefi: { profile: uefi, priority: 1, selector: { arch: [7, 9] } }',
    '',
  ].join('\n'),
);

function explain(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, 'explain', '-c', config, ...args], { timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr });
    });
  });
}

test('explain with the config alone: the group that matched, and why the others did not', async () => {
  const r = await explain(['--mac', '52:54:00:00:00:01', '--arch', '7', '--ipxe']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^machine  not in the inventory/m);
  assert.match(r.stdout, /^profile  uefi by group uefi: group uefi \(priority 1, 1 selector field: arch 7 in \[7, 9\]\)$/m);
  assert.match(r.stdout, /^groups   chosen  uefi /m);
  assert.match(r.stdout, /^fleet    config only \(no inventory: .*does not exist\)$/m);
});

test('explain reads the server\'s inventory: API groups and the machine\'s labels count, the config still wins', async () => {
  const store = SqliteFleetStore.openDataDir(join(dir, 'data'));
  await store.applyDeclared({ profiles: [{ name: 'base', kernel: 'base/vmlinuz', initrd: [], cmdline: '' }], groups: [], machines: [] }, 1);
  await store.putProfile({ name: 'db', kernel: 'db/vmlinuz', initrd: ['db/initrd'], cmdline: 'role=db' }, 1);
  await store.putGroup({ name: 'databases', priority: 5, profile: 'db', selector: { labels: { role: 'db' } } }, 1);
  await store.patchMachine('52:54:00:00:00:02', { labels: { role: 'db' }, hostname: 'db-1' }, 1);
  await store.close();

  const r = await explain(['--mac', '52:54:00:00:00:02', '--arch', '7', '--ipxe']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^machine  discovered  db-1  labels role=db  never seen  \(api\)$/m);
  assert.match(r.stdout, /^profile  db by group databases: .*labels role=db all present.*beats uefi by priority 5 > 1$/m);
  assert.match(r.stdout, /^         kernel db\/vmlinuz  initrd db\/initrd  cmdline "role=db"$/m);
  assert.match(r.stdout, /^         matched uefi /m);
  assert.match(r.stdout, /^fleet    inventory .*bootfleet\.db \+ config$/m);

  const only = await explain(['--mac', '52:54:00:00:00:02', '--arch', '7', '--ipxe', '--config-only', '--json']);
  const parsed = JSON.parse(only.stdout) as { profile: { name: string; why: string; group: string | null }; fleet: { source: string } };
  assert.deepEqual([parsed.profile.name, parsed.profile.group], ['uefi', 'uefi']);
  assert.equal(parsed.fleet.source, 'config only');
});
