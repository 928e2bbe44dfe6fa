/**
 * The fleet wired into a real `bootfleet serve`, inside namespaces this test creates
 * (198.18.0.0/15 only): a machine that DHCPs (busybox udhcpc) shows up in the API as
 * discovered with its address; an API group and then its own profile (set with the CLI)
 * change the boot script it is served; the API listens on loopback only.
 *
 *   [client eth0 (udhcpc, curl)] ──veth── [s0 198.18.20.1/24: bootfleet, API on 127.0.0.1:8081]
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BootfleetProcess } from '../harness/bootfleet-process.js';
import { Netns, canUseNetns, destroyAll, vethPair } from '../lab/netns.js';

const skip = canUseNetns() ? false : 'needs root and iproute2 (network namespaces)';
const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));
const MAC = '52:54:00:20:00:0a';
const OTHER = '52:54:00:20:00:0b';
const TOKEN = 'wiring-test-admin-token-0123456789';

describe('fleet wiring in bootfleet serve', { skip, timeout: 120_000 }, () => {
  let dir: string;
  let server: Netns;
  let client: Netns;
  let bootfleet: BootfleetProcess;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bootfleet-fleetnet-'));
    server = Netns.create('fsrv');
    client = Netns.create('fcli');
    vethPair(server, 's0', '198.18.20.1/24', client, 'eth0', null);
    client.run('ip', ['link', 'set', 'eth0', 'down']);
    client.run('ip', ['link', 'set', 'eth0', 'address', MAC]);
    client.run('ip', ['link', 'set', 'eth0', 'up']);
    mkdirSync(join(dir, 'http'));
    mkdirSync(join(dir, 'tftp'));
    bootfleet = await BootfleetProcess.start(
      server,
      {
        interfaces: [{ name: 's0' }],
        // No other DHCP server can be on this private veth: skip the start-up probe.
        dhcp: { probeSeconds: 0, subnets: [{ subnet: '198.18.20.0/24', pools: [{ start: '198.18.20.100', end: '198.18.20.120' }] }] },
        tftp: { root: join(dir, 'tftp') },
        http: { port: 8080, root: join(dir, 'http') },
        boot: { defaultProfile: 'base' },
        profiles: {
          base: { kernel: 'base/vmlinuz', cmdline: 'bf.profile=base' },
          db: { kernel: 'db/vmlinuz', cmdline: 'bf.profile=db' },
        },
        machines: [{ mac: OTHER, profile: 'db', labels: { rack: '9' } }],
        api: { tokens: [{ name: 'test', token: TOKEN, role: 'admin' }] },
      },
      { dir },
    );
  });

  after(async () => {
    await bootfleet?.stop();
    await destroyAll();
    rmSync(dir, { recursive: true, force: true });
  });

  function api(method: string, path: string, body?: unknown): { status: number; body: Record<string, unknown> } {
    const args = ['-s', '-o', '-', '-w', '\n%{http_code}', '-X', method, '-H', `Authorization: Bearer ${TOKEN}`];
    if (body !== undefined) args.push('-H', 'Content-Type: application/json', '--data', JSON.stringify(body));
    const out = server.run('curl', [...args, `http://127.0.0.1:8081/api/v1${path}`]);
    const nl = out.lastIndexOf('\n');
    const text = out.slice(0, nl);
    return { status: Number(out.slice(nl + 1)), body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  const bootScript = (): string => client.run('curl', ['-s', `http://198.18.20.1:8080/boot.ipxe?mac=${MAC}`]);

  test('a machine that DHCPs is registered as discovered, with its address', async () => {
    const script = join(dir, 'udhcpc.sh');
    writeFileSync(script, '#!/bin/sh\n[ "$1" = bound ] && ip addr add "$ip/24" dev "$interface"\nexit 0\n');
    chmodSync(script, 0o755);
    client.run('udhcpc', ['-i', 'eth0', '-f', '-q', '-n', '-t', '3', '-T', '1', '-s', script], { timeoutMs: 20_000 });
    await bootfleet.waitForEvent((e) => e.kind === 'fleet.discovered' && e.mac === MAC, 5000, 'fleet.discovered');
    const m = api('GET', `/machines/${MAC}`);
    assert.equal(m.status, 200);
    assert.equal(m.body['state'], 'discovered');
    assert.equal(m.body['source'], 'dhcp');
    assert.match(String(m.body['lastIp']), /^198\.18\.20\.1\d\d$/);
    assert.deepEqual(m.body['boot'], { profile: 'base', by: 'default', group: null, why: 'no own profile and no groups: boot.defaultProfile' });
  });

  test('the config\'s machines are in the store, marked config, and the API cannot change their profile', () => {
    const other = api('GET', `/machines/${OTHER}`);
    assert.deepEqual([other.body['source'], other.body['profile'], other.body['state']], ['config', 'db', 'ready']);
    assert.equal(api('PATCH', `/machines/${OTHER}`, { profile: 'base' }).status, 409);
  });

  test('/boot.ipxe follows the fleet: default, then an API group, then the machine\'s own profile set with the CLI', async () => {
    assert.match(bootScript(), /bf\.profile=base/);
    assert.equal(api('PUT', '/groups/rack3', { profile: 'db', priority: 1, selector: { labels: { rack: '3' } } }).status, 201);
    assert.equal(api('PATCH', `/machines/${MAC}`, { labels: { rack: '3' } }).status, 200);
    assert.match(bootScript(), /bf\.profile=db/);
    const served = await bootfleet.waitForEvent((e) => e.kind === 'http.script' && e.mac === MAC && e.data?.['group'] === 'rack3', 5000, 'http.script by group');
    assert.equal(served.data?.['by'], 'group');

    const out = server.run(process.execPath, [CLI, 'machines', 'set-profile', MAC, 'base', '--api', 'http://127.0.0.1:8081', '--token', TOKEN]);
    assert.match(out, /profile base; state ready/);
    assert.match(bootScript(), /bf\.profile=base/);
  });

  test('the API is not on the boot network: loopback only', () => {
    const fromClient = (() => {
      try {
        return client.run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '2', 'http://198.18.20.1:8081/api/v1/openapi.json']);
      } catch (err) {
        return `failed: ${(err as { status?: number }).status ?? '?'}`;
      }
    })();
    assert.match(fromClient, /^failed|^000$/);
    assert.equal(api('GET', '/openapi.json').status, 200);
  });
});
