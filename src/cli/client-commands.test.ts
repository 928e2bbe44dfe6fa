/**
 * The built CLI (dist/cli/main.js) run as a child process against a real API server on
 * 127.0.0.1, as an operator would run it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ADMIN_TOKEN, READ_TOKEN, startTestApi, type TestApi } from '../api/api-test-server.js';

const CLI = fileURLToPath(new URL('./main.js', import.meta.url));
let api: TestApi;
let dir: string;
before(async () => {
  api = await startTestApi();
  dir = mkdtempSync(join(tmpdir(), 'bootfleet-cli-'));
});
after(async () => {
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Async on purpose: the API answering the child lives in this process's event loop. */
function cli(args: string[], env: Record<string, string> = { BOOTFLEET_API: api.url, BOOTFLEET_TOKEN: ADMIN_TOKEN }): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { PATH: process.env['PATH'] ?? '', ...env }, timeout: 20_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

test('profiles apply -f creates, then leaves alone, then updates', async () => {
  const f = file('p.yaml', 'profiles:\n  debian:\n    kernel: debian/linux\n    initrd: [debian/initrd.gz]\n    cmdline: auto=true\n  rescue:\n    kernel: rescue/vmlinuz\n');
  const first = await cli(['profiles', 'apply', '-f', f]);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.stdout, 'profile debian: created\nprofile rescue: created\n');
  const again = await cli(['profiles', 'apply', '-f', f]);
  assert.equal(again.stdout, 'profile debian: unchanged\nprofile rescue: unchanged\n');
  const changed = file('p2.yaml', 'profiles:\n  rescue:\n    kernel: rescue/vmlinuz\n    cmdline: console=ttyS0\n');
  const r = await cli(['profiles', 'apply', '-f', changed, '--json']);
  assert.deepEqual(JSON.parse(r.stdout), [{ name: 'rescue', result: 'updated' }]);
  const rescue = await api.fleet.getProfile('rescue');
  assert.equal(rescue && 'cmdline' in rescue ? rescue.cmdline : null, 'console=ttyS0');
});

test('profiles apply -f with a bad file: every problem with file:line, nothing sent', async () => {
  const f = file('bad.yaml', 'profiles:\n  good:\n    kernel: k\n  broken:\n    initrd: [x]\n  worse:\n    kernel: k\n    cmdlien: typo\n');
  const r = await cli(['profiles', 'apply', '-f', f]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /bad\.yaml:5:\d+: profiles\.broken\.kernel: required key is missing/);
  assert.match(r.stderr, /bad\.yaml:8:\d+: profiles\.worse\.cmdlien: unknown key "cmdlien" \(did you mean "cmdline"\?\)/);
  assert.match(r.stderr, /nothing applied/);
  assert.equal(await api.fleet.getProfile('good'), null);
});

test('machines set-profile, then machines list as a table and as JSON', async () => {
  const set = await cli(['machines', 'set-profile', '52-54-00-00-00-01', 'debian']);
  assert.equal(set.code, 0, set.stderr);
  assert.equal(set.stdout, '52:54:00:00:00:01: profile debian (new machine registered); state ready\n');
  await api.fleet.recordSightings([{ mac: '52:54:00:00:00:02', at: Date.UTC(2030, 0, 2, 3, 4, 5), ip: '198.18.0.77', hostname: 'evil\x1b[2Jname' }]);

  const table = await cli(['machines', 'list']);
  assert.equal(table.code, 0, table.stderr);
  const lines = table.stdout.trimEnd().split('\n');
  assert.match(lines[0] ?? '', /^MAC +STATE +HOSTNAME +BOOTS +BECAUSE +LAST IP +LAST SEEN +LABELS$/);
  assert.match(lines[1] ?? '', /^52:54:00:00:00:01 +ready +- +debian +own profile +- +- +-$/);
  assert.match(lines[2] ?? '', /^52:54:00:00:00:02 +discovered +evil\\x1b\[2Jname +default +default +198\.18\.0\.77 +2030-01-02 03:04:05 +-$/);

  const asJson = await cli(['machines', 'list', '--json', '--state', 'ready']);
  const parsed = JSON.parse(asJson.stdout) as { mac: string; boot: { profile: string } }[];
  assert.deepEqual(parsed.map((m) => [m.mac, m.boot.profile]), [['52:54:00:00:00:01', 'debian']]);
});

test('groups list, best priority first', async () => {
  await api.fleet.putGroup({ name: 'uefi', priority: 1, profile: 'rescue', selector: { arch: [7, 9] } }, 1);
  await api.fleet.putGroup({ name: 'rack3', priority: 10, profile: 'debian', selector: { labels: { rack: '3' }, subnet: '198.18.0.0/24' } }, 1);
  const r = await cli(['groups', 'list', '--api', api.url, '--token', READ_TOKEN], {});
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.stdout,
    ['NAME   PRIORITY  PROFILE  SOURCE  SELECTOR', 'rack3  10        debian   api     labels=rack=3 subnet=198.18.0.0/24', 'uefi   1         rescue   api     arch=7,9', ''].join('\n'),
  );
});

test('refusals are one line on stderr with exit status 1', async () => {
  const noToken = await cli(['machines', 'list'], { BOOTFLEET_API: api.url });
  assert.equal(noToken.code, 1);
  assert.match(noToken.stderr, /401 API_UNAUTHORIZED .*give a token: --token or BOOTFLEET_TOKEN/);
  const readOnly = await cli(['machines', 'set-profile', '52:54:00:00:00:09', 'debian'], { BOOTFLEET_API: api.url, BOOTFLEET_TOKEN: READ_TOKEN });
  assert.equal(readOnly.code, 1);
  assert.match(readOnly.stderr, /403 API_FORBIDDEN/);
  const unknown = await cli(['machines', 'set-profile', '52:54:00:00:00:09', 'nope']);
  assert.match(unknown.stderr, /400 API_UNKNOWN_PROFILE profile: profile nope does not exist/);
  const badMac = await cli(['machines', 'set-profile', 'zz', 'debian']);
  assert.equal(badMac.code, 2);
  const down = await cli(['groups', 'list', '--api', 'http://127.0.0.1:9'], {});
  assert.equal(down.code, 1);
  assert.match(down.stderr, /cannot reach the bootfleet API at http:\/\/127\.0\.0\.1:9/);
  assert.equal(await api.fleet.getMachine('52:54:00:00:00:09'), null);
});
