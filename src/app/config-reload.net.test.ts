/**
 * Reload without restart in a real `bootfleet serve`, inside namespaces this test creates
 * (198.18.0.0/15 only): a machine declared in a fleetDir file boots profile a; the file is
 * edited to give it profile b and `bootfleet reload` makes the server serve b; a broken file
 * and SIGHUP leave it serving b, with a config.reload-failed event naming the file and line.
 *
 *   [client eth0 198.18.22.2 (curl)] ──veth── [s0 198.18.22.1/24: bootfleet]
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BootfleetProcess } from '../harness/bootfleet-process.js';
import { Netns, canUseNetns, destroyAll, vethPair } from '../lab/netns.js';

const skip = canUseNetns() ? false : 'needs root and iproute2 (network namespaces)';
const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));
const MAC = '52:54:00:22:00:0a';
const NEIGHBOUR_MAC = '52:54:00:22:00:1c';

describe('config reload in bootfleet serve', { skip, timeout: 60_000 }, () => {
  let dir: string;
  let server: Netns;
  let client: Netns;
  let bootfleet: BootfleetProcess;
  const machineFile = (profile: string): string => `machines:\n  - mac: ${MAC}\n    profile: ${profile}\n`;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bootfleet-reload-'));
    server = Netns.create('rsrv');
    client = Netns.create('rcli');
    vethPair(server, 's0', '198.18.22.1/24', client, 'eth0', '198.18.22.2/24');
    for (const d of ['http', 'tftp', 'fleet.d']) mkdirSync(join(dir, d));
    writeFileSync(join(dir, 'fleet.d', '10-profiles.yaml'), 'profiles:\n  a:\n    kernel: a/vmlinuz\n    cmdline: bf.profile=a\n  b:\n    kernel: b/vmlinuz\n    cmdline: bf.profile=b\n');
    writeFileSync(join(dir, 'fleet.d', '20-machines.yaml'), machineFile('a'));
    // The client namespace itself as a machine, for the request without ?mac=.
    client.run('ip', ['link', 'set', 'eth0', 'address', NEIGHBOUR_MAC]);
    writeFileSync(join(dir, 'fleet.d', '25-neighbour.yaml'), `machines:\n  - mac: ${NEIGHBOUR_MAC}\n    profile: b\n`);
    bootfleet = await BootfleetProcess.start(
      server,
      {
        interfaces: [{ name: 's0', mode: 'proxy' }],
        // No other DHCP server can be on this private veth: skip the start-up probe.
        dhcp: { probeSeconds: 0 },
        tftp: { root: join(dir, 'tftp') },
        http: { port: 8080, root: join(dir, 'http') },
        api: { enabled: false },
        boot: { defaultProfile: 'a' },
        fleetDir: 'fleet.d',
      },
      { dir },
    );
  });

  after(async () => {
    await bootfleet?.stop();
    await destroyAll();
    rmSync(dir, { recursive: true, force: true });
  });

  const bootScript = (): string => client.run('curl', ['-s', '--max-time', '5', `http://198.18.22.1:8080/boot.ipxe?mac=${MAC}`]);
  const pidFile = (): string => join(dir, 'data', 'bootfleet.pid');

  test('serve writes its pid file; the machine from fleetDir boots profile a', () => {
    assert.equal(readFileSync(pidFile(), 'utf8').trim(), String(bootfleet.child.pid));
    assert.match(bootScript(), /bf\.profile=a/);
  });

  test('/boot.ipxe without ?mac= (proxy mode: no lease of ours names the client): the MAC from the neighbour table', () => {
    const script = client.run('curl', ['-s', '--max-time', '5', 'http://198.18.22.1:8080/boot.ipxe']);
    assert.match(script, /bf\.profile=b/, script);
  });

  test('edit the file, bootfleet reload: profile b, and a config.reload event saying what changed', async () => {
    writeFileSync(join(dir, 'fleet.d', '20-machines.yaml'), machineFile('b'));
    const out = server.run(process.execPath, [CLI, 'reload', '-c', bootfleet.configPath]);
    assert.match(out, /sent SIGHUP/);
    const e = await bootfleet.waitForEvent((x) => x.kind === 'config.reload', 10_000, 'config.reload');
    assert.match(e.msg, new RegExp(`machine ${MAC} changed`));
    assert.match(bootScript(), /bf\.profile=b/);
  });

  test('a broken file and SIGHUP: still serving b, config.reload-failed names the file and line', async () => {
    writeFileSync(join(dir, 'fleet.d', '30-broken.yaml'), `# a typo\nmachines:\n  - mac: 52:54:00:22:00:0b\n    profle: a\n`);
    process.kill(bootfleet.child.pid!, 'SIGHUP');
    const e = await bootfleet.waitForEvent((x) => x.kind === 'config.reload-failed', 10_000, 'config.reload-failed');
    assert.match(String(e.data?.['problems']), /fleet\.d\/30-broken\.yaml:4:\d+: machines\[0\]\.profle: /);
    assert.match(String(e.data?.['problems']), /fleet\.d\/30-broken\.yaml:3:\d+: machines\[0\]\.profile: /);
    assert.match(bootScript(), /bf\.profile=b/);
    // And `bootfleet reload` refuses to send it, printing the same problems.
    assert.throws(() => server.run(process.execPath, [CLI, 'reload', '-c', bootfleet.configPath]), /30-broken\.yaml:4/);
  });

  test('stop removes the pid file', async () => {
    await bootfleet.stop();
    assert.equal(existsSync(pidFile()), false);
  });
});
