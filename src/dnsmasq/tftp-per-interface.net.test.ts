/**
 * Per-interface TFTP as dnsmasq 2.90 does it, then bootfleet (`serve --dnsmasq-conf`) with the
 * same configuration: `tftp-root=<dir>,<interface>` replaces the plain root on that interface,
 * and `enable-tftp=<interface>` serves TFTP there only. A client namespace on two segments
 * reads the same name from the server's address on each; what it gets (the file's content, or
 * nothing) must be the same from both servers.
 *
 * Needs root (network namespaces), dnsmasq and curl; skipped otherwise. Namespaces and
 * addresses (198.18.0.0/15) are made here and destroyed afterwards.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { canUseNetns, destroyAll, Netns, vethPair } from '../lab/netns.js';
import { waitForOutput } from '../lab/wait-output.js';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../cli/main.js');

function have(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const skip = !canUseNetns() ? 'needs root and iproute2 (network namespaces)' : !have('dnsmasq', ['--version']) ? 'needs dnsmasq' : !have('curl', ['--version']) ? 'needs curl' : false;

const RANGES = ['dhcp-range=198.18.0.100,198.18.0.150', 'dhcp-range=198.18.1.100,198.18.1.150'];
const ADDRESSES = ['198.18.0.2', '198.18.1.2'] as const;

describe('per-interface TFTP: bootfleet serves what dnsmasq 2.90 serves, where it serves it', { skip }, () => {
  let server: Netns;
  let client: Netns;
  let dir: string;
  let plain: string;
  let own: string;

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'bootfleet-tftp-if-'));
    plain = path.join(dir, 'plain');
    own = path.join(dir, 'own');
    mkdirSync(plain);
    mkdirSync(own);
    writeFileSync(path.join(plain, 'which.txt'), 'plain root\n', { mode: 0o644 });
    writeFileSync(path.join(own, 'which.txt'), 'bf1 root\n', { mode: 0o644 });
    server = Netns.create('tfi-srv');
    client = Netns.create('tfi-cl');
    vethPair(server, 'bf0', '198.18.0.2/24', client, 'eth0', '198.18.0.3/24');
    vethPair(server, 'bf1', '198.18.1.2/24', client, 'eth1', '198.18.1.3/24');
  });

  after(async () => {
    await destroyAll();
    rmSync(dir, { recursive: true, force: true });
  });

  /** What a TFTP read of which.txt from each server address gives: the content, or null. */
  function readAll(): (string | null)[] {
    return ADDRESSES.map((a) => {
      try {
        return client.run('curl', ['-sS', '--max-time', '2', `tftp://${a}/which.txt`], { timeoutMs: 5000 });
      } catch {
        return null;
      }
    });
  }

  async function withDnsmasq<T>(conf: string, run: () => T): Promise<T> {
    const log = path.join(dir, 'dnsmasq.log');
    const fd = openSync(log, 'w');
    const child: ChildProcess = server.spawn(
      'dnsmasq',
      ['--no-daemon', '--port=0', `--conf-file=${conf}`, '--interface=bf0', '--interface=bf1', '--bind-interfaces', `--dhcp-leasefile=${path.join(dir, 'dnsmasq.leases')}`,
        '--no-ping', '--no-hosts', '--no-resolv', '--user=root', '--group=root', `--pid-file=${path.join(dir, 'dnsmasq.pid')}`],
      { stdio: ['ignore', fd, fd] },
    );
    closeSync(fd);
    let gone = false;
    child.once('exit', () => (gone = true));
    try {
      await waitForOutput(log, /started, version/, 10_000, () => gone, 'dnsmasq');
      await new Promise((r) => setTimeout(r, 200));
      return run();
    } finally {
      await server.stop(child);
    }
  }

  async function withBootfleet<T>(conf: string, run: () => T): Promise<T> {
    const work = mkdtempSync(path.join(dir, 'bf-'));
    const wrapper = path.join(work, 'dnsmasq.conf');
    writeFileSync(wrapper, ['interface=bf0', 'interface=bf1', 'bind-interfaces', `dhcp-leasefile=${path.join(work, 'dnsmasq.leases')}`, `conf-file=${conf}`, ''].join('\n'));
    const base = path.join(work, 'bootfleet.yaml');
    writeFileSync(base, [`dataDir: ${JSON.stringify(path.join(work, 'data'))}`, 'dhcp: { probeSeconds: 0 }', ''].join('\n'));
    const log = path.join(work, 'bootfleet.log');
    const fd = openSync(log, 'w');
    const child = server.spawn(process.execPath, [CLI, 'serve', '--dnsmasq-conf', wrapper, '-c', base], { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    let gone = false;
    child.once('exit', () => (gone = true));
    try {
      await waitForOutput(log, /^bootfleet: ready$/m, 45_000, () => gone, 'bootfleet');
      return run();
    } finally {
      await server.stop(child);
    }
  }

  const cases: [string, string[], (string | null)[]][] = [
    ['tftp-root=<dir>,bf1 beside a plain tftp-root', ['enable-tftp', 'tftp-root=PLAIN', 'tftp-root=OWN,bf1'], ['plain root\n', 'bf1 root\n']],
    ['enable-tftp=bf1 only', ['enable-tftp=bf1', 'tftp-root=PLAIN'], [null, 'plain root\n']],
  ];
  for (const [name, lines, expected] of cases) {
    test(name, async () => {
      const conf = path.join(dir, `${name.replace(/[^a-z0-9]+/gi, '-')}.conf`);
      writeFileSync(conf, [...RANGES, ...lines.map((l) => l.replace('PLAIN', plain).replace('OWN', own)), ''].join('\n'));
      const real = await withDnsmasq(conf, readAll);
      assert.deepEqual(real, expected, 'dnsmasq');
      const got = await withBootfleet(conf, readAll);
      assert.deepEqual(got, real, 'bootfleet');
    });
  }
});
