/**
 * Seeing boots in a real `bootfleet serve`, inside namespaces this test creates (198.18.0.0/15
 * only): a client takes a lease with busybox udhcpc and asks TFTP (tftp-hpa) for a file that is
 * not there; the API's timeline, `bootfleet doctor` (through the API and from the JSON log) and
 * `/metrics` must each tell it as it happened.
 *
 *   [client eth0 (udhcpc, tftp)] ──veth── [s0 198.18.23.1/24: bootfleet serve, full mode]
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
const MAC = '52:54:00:23:00:0a';
const UNSEEN = '52:54:00:23:00:99';
const TOKEN = 'read-token-for-the-doctor-test';

describe('doctor, timeline and metrics in bootfleet serve', { skip, timeout: 90_000 }, () => {
  let dir: string;
  let server: Netns;
  let client: Netns;
  let bootfleet: BootfleetProcess;
  let clientIp = '';

  /** The API is on the server namespace's loopback, as in production (127.0.0.1 only). */
  const api = (path: string, token: string | null = TOKEN): { status: number; body: string } => {
    const out = server.run('curl', ['-s', '--max-time', '5', '-w', '\n%{http_code}', ...(token ? ['-H', `Authorization: Bearer ${token}`] : []), `http://127.0.0.1:8081${path}`]);
    const cut = out.lastIndexOf('\n');
    return { status: Number(out.slice(cut + 1)), body: out.slice(0, cut) };
  };
  const cli = (args: string[]): { code: number; out: string } => {
    try {
      return { code: 0, out: server.run(process.execPath, [CLI, ...args, '--token', TOKEN]) };
    } catch (err) {
      const e = err as { status?: number; stdout?: string };
      return { code: e.status ?? -1, out: e.stdout ?? '' };
    }
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bootfleet-doctor-'));
    server = Netns.create('dsrv');
    client = Netns.create('dcli');
    vethPair(server, 's0', '198.18.23.1/24', client, 'eth0', null);
    client.run('ip', ['link', 'set', 'eth0', 'address', MAC]);
    client.run('ip', ['link', 'set', 'eth0', 'up']);
    for (const d of ['http', 'tftp']) mkdirSync(join(dir, d));
    writeFileSync(join(dir, 'udhcpc.sh'), '#!/bin/sh\necho "EVENT $1 ip=$ip"\ncase "$1" in bound|renew) ip addr flush dev "$interface"; ip addr add "$ip/$mask" dev "$interface" ;; esac\nexit 0\n');
    chmodSync(join(dir, 'udhcpc.sh'), 0o755);
    bootfleet = await BootfleetProcess.start(
      server,
      {
        interfaces: [{ name: 's0', mode: 'full' }],
        dhcp: { probeSeconds: 0, conflictDetection: false, subnets: [{ subnet: '198.18.23.0/24', pools: [{ start: '198.18.23.100', end: '198.18.23.110' }], leaseTime: '1h' }] },
        tftp: { root: join(dir, 'tftp') },
        http: { port: 8080, root: join(dir, 'http') },
        api: { enabled: true, address: '127.0.0.1', port: 8081, tokens: [{ name: 'test', token: TOKEN, role: 'read' }] },
        boot: { defaultProfile: 'a' },
        profiles: { a: { kernel: 'vmlinuz', cmdline: 'x' } },
      },
      { dir },
    );
    const out = client.run('udhcpc', ['-i', 'eth0', '-f', '-q', '-n', '-t', '3', '-T', '1', '-s', join(dir, 'udhcpc.sh')], { timeoutMs: 20_000 });
    clientIp = /EVENT bound ip=(\S+)/.exec(out)?.[1] ?? '';
    assert.match(clientIp, /^198\.18\.23\.1(0\d|10)$/, out);
    // A file that is not there, as a PXE ROM would ask for a misspelt boot file.
    try {
      client.run('tftp', ['198.18.23.1', '-m', 'binary', '-c', 'get', 'undionly-typo.kpxe', join(dir, 'got')], { timeoutMs: 10_000 });
    } catch {
      /* tftp-hpa exits non-zero on an ERROR packet; the server's account is what is tested */
    }
    await bootfleet.waitForEvent((e) => e.kind === 'tftp.error' && e.mac === MAC, 10_000, 'the refused TFTP request');
  });

  async function until(probe: () => boolean, what: string, ms = 10_000): Promise<void> {
    const end = Date.now() + ms;
    while (!probe()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  after(async () => {
    await bootfleet?.stop();
    await destroyAll();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the timeline holds the machine\'s DHCP and TFTP steps in order', () => {
    const r = api(`/api/v1/machines/${MAC}/timeline`);
    assert.equal(r.status, 200);
    const kinds = (JSON.parse(r.body) as { kind: string }[]).map((e) => e.kind);
    const order = ['dhcp.discover', 'dhcp.offer', 'dhcp.request', 'dhcp.ack', 'tftp.request', 'tftp.error'].map((k) => kinds.indexOf(k));
    assert.ok(order.every((i, n) => i >= 0 && (n === 0 || i > order[n - 1]!)), `timeline: ${kinds.join(' ')}`);
  });

  test('bootfleet doctor (via the API) names the missing file and exits 3', () => {
    const r = cli(['doctor', MAC]);
    assert.equal(r.code, 3, r.out);
    assert.match(r.out, /STOPPED at address — TFTP of undionly-typo\.kpxe failed: TFTP request refused: File not found/);
    assert.match(r.out, /check: the file is not under the TFTP root/);
    assert.match(r.out, new RegExp(`ACK ${clientIp.replace(/\./g, '\\.')}`));
  });

  test('bootfleet doctor --log reads the same from the JSON event log, without the API', () => {
    const log = join(dir, 'events.log');
    writeFileSync(log, bootfleet.output.join('\n') + '\n');
    const r = cli(['doctor', '--json', '--log', log, MAC]);
    assert.equal(r.code, 3, r.out);
    const d = JSON.parse(r.out) as { stage: string; summary: string };
    assert.equal(d.stage, 'address');
    assert.match(d.summary, /undionly-typo\.kpxe/);
  });

  test('a MAC never heard from: stage unseen, and the API refuses a malformed MAC and a missing token', () => {
    const d = JSON.parse(api(`/api/v1/machines/${UNSEEN}/doctor`).body) as { stage: string };
    assert.equal(d.stage, 'unseen');
    assert.equal(api('/api/v1/machines/not-a-mac/doctor').status, 400);
    assert.equal(api(`/api/v1/machines/${MAC}/doctor`, null).status, 401);
  });

  test('/metrics counts what happened, in the Prometheus text format', () => {
    const r = api('/metrics');
    assert.equal(r.status, 200);
    const value = (sample: string): number => {
      const line = r.body.split('\n').find((l) => l.startsWith(sample + ' '));
      assert.ok(line, `${sample} in:\n${r.body}`);
      return Number(line.slice(sample.length + 1));
    };
    assert.ok(value('bootfleet_dhcp_received_total') >= 2);
    assert.ok(value('bootfleet_dhcp_replied_total') >= 2, 'OFFER and ACK');
    assert.equal(value('bootfleet_dhcp_leases{state="bound"}'), 1);
    assert.equal(value('bootfleet_tftp_refused_total'), 1);
    assert.equal(value('bootfleet_events_total{kind="dhcp.ack"}'), 1);
    assert.ok(value('process_resident_memory_bytes') > 10e6);
    assert.match(r.body, /^# TYPE bootfleet_dhcp_received_total counter$/m);
    assert.equal(api('/metrics', null).status, 401);
  });
  test('bootfleet timeline --follow prints the past, then new steps as they happen', async () => {
    const child = server.spawn(process.execPath, [CLI, 'timeline', '--follow', MAC, '--token', TOKEN], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    const refusals = (): number => out.split('tftp.error').length - 1;
    try {
      await until(() => refusals() === 1, 'the past steps, with the first refusal');
      try {
        client.run('tftp', ['198.18.23.1', '-m', 'binary', '-c', 'get', 'second-typo.kpxe', join(dir, 'got2')], { timeoutMs: 10_000 });
      } catch {
        /* refused, as expected */
      }
      await until(() => refusals() === 2, 'the new refusal, live');
      assert.match(out, /tftp\.request +TFTP read request\n.*tftp\.error/);
    } finally {
      child.kill();
    }
  });
});
