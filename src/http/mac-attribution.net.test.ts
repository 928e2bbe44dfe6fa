/**
 * `?mac=` cannot write into another machine's timeline, in a real `bootfleet serve` inside
 * namespaces this test creates (198.18.0.0/15 only). A takes a lease (busybox udhcpc) and fetches
 * its script; B, on the same segment with a static address, asks for A's script and a file
 * naming A's MAC; C, routed through B, does the same. A's timeline and doctor must not change;
 * B's requests are recorded as B's with a warning; C's (nothing known of its address) as no
 * machine's. Honest requests from A and B are attributed as before.
 *
 *   [A eth0 (udhcpc)] ──┐
 *                       br0 198.18.24.1/24: bootfleet serve, full mode
 *   [B eth0 .24.50] ────┘   B eth1 198.18.25.1 ── [C eth0 198.18.25.2, default via B]
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BootfleetProcess, type LoggedEvent } from '../harness/bootfleet-process.js';
import { diagnose } from '../doctor/diagnose.js';
import { Netns, bridge, canUseNetns, destroyAll, vethPair } from '../lab/netns.js';

const skip = canUseNetns() ? false : 'needs root and iproute2 (network namespaces)';
const MAC_A = '52:54:00:24:00:0a';
const MAC_B = '52:54:00:24:00:0b';
const B_IP = '198.18.24.50';
const C_IP = '198.18.25.2';
const URL_BASE = 'http://198.18.24.1:8080';

describe('?mac= attribution in bootfleet serve: one host cannot write into another\'s timeline', { skip, timeout: 90_000 }, () => {
  let dir: string;
  let a: Netns;
  let b: Netns;
  let c: Netns;
  let bootfleet: BootfleetProcess;
  let aIp = '';

  const get = (ns: Netns, path: string): string => ns.run('curl', ['-s', '--max-time', '5', `${URL_BASE}${path}`]);
  /** The http.request event of the last request from `client` for `path`, once logged. */
  const requestEvent = (client: string, path: string, after: number): Promise<LoggedEvent> =>
    bootfleet.waitForEvent((e) => e.kind === 'http.request' && e.data?.['client'] === client && e.data?.['path'] === path && bootfleet.events.indexOf(e) >= after, 5000, `http.request ${path} from ${client}`);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bootfleet-macclaim-'));
    const server = Netns.create('msrv');
    a = Netns.create('ma');
    b = Netns.create('mb');
    c = Netns.create('mc');
    vethPair(server, 'va', null, a, 'eth0', null);
    vethPair(server, 'vb', null, b, 'eth0', `${B_IP}/24`);
    bridge(server, 'br0', '198.18.24.1/24', ['va', 'vb']);
    a.run('ip', ['link', 'set', 'eth0', 'address', MAC_A]);
    b.run('ip', ['link', 'set', 'eth0', 'address', MAC_B]);
    vethPair(b, 'eth1', '198.18.25.1/24', c, 'eth0', `${C_IP}/24`);
    b.run('sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1']);
    c.run('ip', ['route', 'add', 'default', 'via', '198.18.25.1']);
    server.run('ip', ['route', 'add', '198.18.25.0/24', 'via', B_IP]);
    for (const d of ['http', 'tftp']) mkdirSync(join(dir, d));
    writeFileSync(join(dir, 'http', 'vmlinuz'), 'not really a kernel\n');
    writeFileSync(join(dir, 'udhcpc.sh'), '#!/bin/sh\necho "EVENT $1 ip=$ip"\ncase "$1" in bound|renew) ip addr flush dev "$interface"; ip addr add "$ip/$mask" dev "$interface" ;; esac\nexit 0\n');
    chmodSync(join(dir, 'udhcpc.sh'), 0o755);
    bootfleet = await BootfleetProcess.start(
      server,
      {
        interfaces: [{ name: 'br0', mode: 'full' }],
        dhcp: { probeSeconds: 0, conflictDetection: false, subnets: [{ subnet: '198.18.24.0/24', pools: [{ start: '198.18.24.100', end: '198.18.24.110' }], leaseTime: '1h' }] },
        tftp: { root: join(dir, 'tftp') },
        http: { port: 8080, root: join(dir, 'http') },
        api: { enabled: false },
        boot: { defaultProfile: 'a' },
        profiles: { a: { kernel: 'vmlinuz', cmdline: 'bf.profile=a' }, secret: { kernel: 'vmlinuz', cmdline: 'bf.profile=only-for-a' } },
        machines: [{ mac: MAC_A, profile: 'secret' }],
      },
      { dir },
    );
    const out = a.run('udhcpc', ['-i', 'eth0', '-f', '-q', '-n', '-t', '3', '-T', '1', '-s', join(dir, 'udhcpc.sh')], { timeoutMs: 20_000 });
    aIp = /EVENT bound ip=(\S+)/.exec(out)?.[1] ?? '';
    assert.match(aIp, /^198\.18\.24\.1(0\d|10)$/, out);
  });

  after(async () => {
    await bootfleet?.stop();
    await destroyAll();
    rmSync(dir, { recursive: true, force: true });
  });

  test('A\'s own requests are A\'s; B and C naming A\'s MAC are served, but leave A\'s timeline and doctor as they were', async () => {
    let mark = bootfleet.events.length;
    assert.match(get(a, `/boot.ipxe?mac=${MAC_A}`), /bf\.profile=only-for-a/);
    const own = await requestEvent(aIp, '/boot.ipxe', mark);
    assert.equal(own.mac, MAC_A, 'the honest client (our lease names it) is attributed as before');
    assert.equal(own.data?.['macClaimed'], undefined);
    await bootfleet.waitForEvent((e) => e.kind === 'http.script' && e.mac === MAC_A, 5000, 'A\'s http.script');
    const before = bootfleet.timeline(MAC_A);
    const doctorBefore = diagnose(MAC_A, before);

    mark = bootfleet.events.length;
    // Served as today: the script is no secret (matchbox and pixiecore serve it the same way).
    assert.match(get(b, `/boot.ipxe?mac=${MAC_A}`), /bf\.profile=only-for-a/);
    assert.equal(get(b, `/vmlinuz?mac=${MAC_A.replaceAll(':', '-')}`), 'not really a kernel\n');
    assert.match(get(c, `/boot.ipxe?mac=${MAC_A}`), /bf\.profile=only-for-a/);
    // The per-machine paths name the MAC in the path: the same rule.
    const aPath = MAC_A.replaceAll(':', '-');
    assert.equal(get(b, `/install/${aPath}/done?token=${'0'.repeat(32)}`), 'forbidden\n');
    assert.equal(get(b, `/preseed/${aPath}.cfg`), 'not found\n');
    const spoofScript = await requestEvent(B_IP, '/boot.ipxe', mark);
    const spoofFile = await requestEvent(B_IP, '/vmlinuz', mark);
    const spoofCallback = await requestEvent(B_IP, `/install/${aPath}/done`, mark);
    const spoofPreseed = await requestEvent(B_IP, `/preseed/${aPath}.cfg`, mark);
    const routed = await requestEvent(C_IP, '/boot.ipxe', mark);

    for (const e of [spoofScript, spoofFile, spoofCallback, spoofPreseed]) {
      assert.equal(e.mac, MAC_B, `recorded as the sender's (the neighbour table names it): ${JSON.stringify(e)}`);
      // Each request at info (a 403 at warn): the alert is the one http.mac-mismatch a minute, so a spoofing loop is not a log line per request at warn.
      assert.equal(e.level, e === spoofCallback ? 'warn' : 'info');
      assert.equal(e.data?.['macClaimed'], MAC_A);
      assert.equal(e.data?.['macCheck'], 'mismatch');
    }
    const warnings = bootfleet.events.slice(mark).filter((e) => e.kind === 'http.mac-mismatch');
    // One warning for the pair (B naming A) a minute; each request's own event says it too.
    assert.deepEqual(warnings.map((e) => [e.mac, e.level, e.data?.['claimed'], e.data?.['client'], e.data?.['path']]), [[MAC_B, 'warn', MAC_A, B_IP, '/boot.ipxe']]);
    const refused = await bootfleet.waitForEvent((e) => e.kind === 'fleet.install-callback' && bootfleet.events.indexOf(e) >= mark, 5000, 'the refused callback');
    assert.equal(refused.mac, MAC_B, 'a refused callback is the sender\'s event');
    assert.equal(refused.data?.['machine'], MAC_A);
    // B got A's script: its own timeline says so (the script event follows the request).
    assert.ok(bootfleet.timeline(MAC_B).some((e) => e.kind === 'http.script' && e.data?.['profile'] === 'secret'), 'the script B was served is in B\'s timeline');
    // C: routed, no lease of ours, not in the neighbour table (its router B is): no one's.
    assert.equal(routed.mac, undefined, JSON.stringify(routed));
    assert.equal(routed.data?.['macCheck'], 'unverified');
    assert.equal(routed.data?.['macClaimed'], MAC_A);

    assert.deepEqual(bootfleet.timeline(MAC_A), before, 'A\'s timeline is unchanged');
    assert.deepEqual(diagnose(MAC_A, bootfleet.timeline(MAC_A)), doctorBefore, 'and so is its doctor');
  });

  test('B naming its own MAC is attributed to B; A asking again is A\'s', async () => {
    const mark = bootfleet.events.length;
    get(b, `/boot.ipxe?mac=${MAC_B}`);
    const e = await requestEvent(B_IP, '/boot.ipxe', mark);
    assert.equal(e.mac, MAC_B);
    assert.equal(e.level, 'info');
    assert.equal(e.data?.['macClaimed'], undefined);
    get(a, `/vmlinuz?mac=${MAC_A}`);
    assert.equal((await requestEvent(aIp, '/vmlinuz', mark)).mac, MAC_A);
    assert.equal(bootfleet.events.slice(mark).filter((x) => x.kind === 'http.mac-mismatch').length, 0);
  });
});
