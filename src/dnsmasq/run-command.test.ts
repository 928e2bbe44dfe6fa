/**
 * `bootfleet dnsmasq` and `serve --dnsmasq-conf` before anything starts: bad lines stop the
 * command with file (or argument), line and directive named; `--skip-unknown` goes on; the
 * translation into interfaces, subnets and TFTP settings follows dnsmasq's rules. No network.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_LEASE_FILE } from './translate.js';
import { dnsmasqRunCommand, loadBaseConfig, prepareDnsmasqRun, splitDnsmasqArgv, type DnsmasqRunEnv, type DnsmasqRunRequest, type Prepared } from './run-command.js';
import { memoryFs } from './test-fs.js';

const HOST = [
  { name: 'bf0', address: '198.18.0.2', netmask: '255.255.255.0' },
  { name: 'bf1', address: '198.18.1.2', netmask: '255.255.255.0' },
  { name: 'eth0', address: '10.9.0.5', netmask: '255.255.0.0' },
];

function env(files: Record<string, string> = {}, dirs: string[] = ['/srv/tftp']): DnsmasqRunEnv {
  return { hostInterfaces: () => HOST, isDirectory: (d) => dirs.includes(d), fs: memoryFs(files), defaultConfFile: null };
}

function fromFile(text: string, opts: Partial<DnsmasqRunRequest> = {}): Prepared {
  return prepareDnsmasqRun({ source: { kind: 'file', file: '/etc/dnsmasq.conf' }, bootfleetConfig: null, skipUnknown: false, allowOtherDhcp: false, ...opts }, env({ '/etc/dnsmasq.conf': text }));
}

function fromArgs(argv: string[], opts: Partial<DnsmasqRunRequest> = {}): Prepared {
  return prepareDnsmasqRun({ source: { kind: 'argv', argv }, bootfleetConfig: null, skipUnknown: false, allowOtherDhcp: false, ...opts }, env());
}

function messages(p: Prepared): string[] {
  assert.equal(p.ok, false, 'expected the configuration to be refused');
  return p.ok ? [] : p.messages;
}

function plan(p: Prepared): Extract<Prepared, { ok: true }>['plan'] {
  if (!p.ok) assert.fail(`refused:\n${p.messages.join('\n')}`);
  return p.plan;
}

test('a directive bootfleet does not know stops it, naming file, line and directive; --skip-unknown goes on', () => {
  const text = 'dhcp-range=198.18.0.100,198.18.0.200\ndhcp-boott=undionly.kpxe\ndhcp-boot=undionly.kpxe\n';
  const m = messages(fromFile(text));
  assert.equal(m[0], '/etc/dnsmasq.conf:2: dhcp-boott: "dhcp-boott" is not a dnsmasq directive [DNSMASQ_UNKNOWN_DIRECTIVE]');
  assert.ok(m.some((l) => l.includes('--skip-unknown')));
  const skipped = fromFile(text, { skipUnknown: true });
  assert.ok(skipped.ok);
  assert.ok(skipped.notes.some((n) => n.includes('/etc/dnsmasq.conf:2: dhcp-boott: skipped')), skipped.notes.join('\n'));
});

test('a real dnsmasq directive bootfleet does not support stops it too, and is skipped with --skip-unknown', () => {
  const text = 'dhcp-range=198.18.0.100,198.18.0.200\ndhcp-script=/bin/true\n';
  assert.match(messages(fromFile(text))[0] ?? '', /^\/etc\/dnsmasq\.conf:2: dhcp-script: .*\[DNSMASQ_UNSUPPORTED_DIRECTIVE\]$/);
  assert.ok(fromFile(text, { skipUnknown: true }).ok);
});

test('a value of the wrong type names the directive and the value (not skipped by --skip-unknown)', () => {
  const text = 'dhcp-range=198.18.0.100,198.18.0.300\n';
  const m = messages(fromFile(text, { skipUnknown: true }));
  assert.match(m[0] ?? '', /^\/etc\/dnsmasq\.conf:1: dhcp-range: .*198\.18\.0\.300.*\[DNSMASQ_BAD_VALUE\]$/);
});

test('command-line problems name the argument (unambiguous prefixes are fine, as with getopt)', () => {
  const m = messages(fromArgs(['--port=0', '--dhcp-rnage=198.18.0.0,proxy', 'junk', '--dhcp-rang=198.18.0.0,proxy']));
  assert.deepEqual(m.slice(0, 2), [
    'command line argument 2: dhcp-rnage: --dhcp-rnage is not a dnsmasq option [DNSMASQ_COMMAND_LINE]',
    'command line argument 3: "junk" is not an option (dnsmasq: junk found in command line) [DNSMASQ_COMMAND_LINE]',
  ]);
});

test('an interface that does not exist stops it, as it stops dnsmasq', () => {
  const m = messages(fromArgs(['--interface=bf9', '--dhcp-range=198.18.0.0,proxy']));
  assert.match(m[0] ?? '', /^command line argument 1: interface: unknown interface bf9 \(IPv4 interfaces here: bf0, bf1, eth0\) \[DNSMASQ_CANNOT_RUN\]$/);
});

test('nothing to serve: no dhcp-range on any allowed interface', () => {
  assert.match(messages(fromArgs(['--port=0']))[0] ?? '', /no dhcp-range: nothing to serve/);
  assert.match(messages(fromArgs(['--interface=eth0', '--dhcp-range=198.18.0.0,proxy']))[0] ?? '', /no dhcp-range lies on the subnet/);
});

test('a missing tftp-root stops it unless tftp-no-fail', () => {
  const args = ['--dhcp-range=198.18.0.0,proxy', '--enable-tftp', '--tftp-root=/srv/nothing'];
  assert.match(messages(fromArgs(args))[0] ?? '', /^command line argument 3: tftp-root: \/srv\/nothing is not a readable directory/);
  const p = fromArgs([...args, '--tftp-no-fail']);
  assert.ok(p.ok && p.notes.some((n) => n.includes('tftp-no-fail: starting anyway')));
});

test('interfaces: dnsmasq\'s rules pick which get DHCP and how', () => {
  // No interface=: every interface with a range on its subnet.
  let p = plan(fromArgs(['--dhcp-range=198.18.0.0,proxy', '--dhcp-range=198.18.1.100,198.18.1.200,12h']));
  assert.deepEqual(p.config.interfaces.map((i) => [i.name, i.mode, i.ipv6RaForIpxe]), [['bf0', 'proxy', 'off'], ['bf1', 'full', 'off']]);
  assert.deepEqual(p.config.dhcp.subnets.map((s) => [s.subnet, s.pools, s.leaseTime]), [['198.18.1.0/24', [{ start: '198.18.1.100', end: '198.18.1.200' }], 43200]]);
  // except-interface, interface with a wildcard, listen-address.
  p = plan(fromArgs(['--except-interface=bf0', '--dhcp-range=198.18.0.0,proxy', '--dhcp-range=198.18.1.100,198.18.1.200']));
  assert.deepEqual(p.config.interfaces.map((i) => i.name), ['bf1']);
  p = plan(fromArgs(['--interface=bf*', '--dhcp-range=198.18.0.0,proxy', '--dhcp-range=198.18.1.100,198.18.1.200']));
  assert.deepEqual(p.config.interfaces.map((i) => i.name), ['bf0', 'bf1']);
  p = plan(fromArgs(['--listen-address=198.18.1.2', '--dhcp-range=198.18.0.0,proxy', '--dhcp-range=198.18.1.100,198.18.1.200']));
  assert.deepEqual(p.config.interfaces.map((i) => i.name), ['bf1']);
});

test('DHCP and TFTP settings carried over; what bootfleet adds stays off', () => {
  const p = plan(
    fromArgs([
      '--dhcp-range=set:a,198.18.0.150,198.18.0.200,10m', '--dhcp-range=198.18.0.100,198.18.0.160,infinite', '--dhcp-authoritative', '--log-dhcp',
      '--enable-tftp', '--tftp-root=/srv/tftp', '--tftp-no-blocksize', '--tftp-lowercase', '--tftp-secure', '--tftp-port-range=30000,30010', '--tftp-max=7',
      '--dhcp-leasefile=/var/tmp/x.leases', '--server=9.9.9.9',
    ]),
  );
  const subnet = p.config.dhcp.subnets[0];
  assert.deepEqual(subnet?.pools, [{ start: '198.18.0.100', end: '198.18.0.200' }], 'overlapping ranges merged (the policy narrows per request)');
  assert.equal(subnet?.leaseTime, 600, 'the first range\'s lease as the default');
  assert.equal(p.config.dhcp.authoritative, true);
  assert.equal(p.config.dhcp.conflictDetection, true, 'dnsmasq pings before offering unless told not to: bootfleet checks by ARP');
  assert.equal(plan(fromArgs(['--dhcp-range=198.18.0.100,198.18.0.200', '--no-ping'])).config.dhcp.conflictDetection, false, '--no-ping turns the check off');
  assert.equal(p.config.log.level, 'debug');
  assert.equal(p.logDhcp, true);
  assert.deepEqual([p.config.tftp.enabled, p.config.tftp.root, p.config.tftp.maxBlksize], [true, '/srv/tftp', 512]);
  assert.deepEqual(p.tftp, { lowercaseNames: true, transferPorts: { start: 30000, end: 30010 }, secure: true, maxTransfers: 7, rootByAddress: { '198.18.0.2': '/srv/tftp' } });
  assert.equal(p.leaseFile, '/var/tmp/x.leases');
  assert.equal(p.serveHttp, false);
  assert.equal(p.config.api.enabled, false);
  assert.equal(plan(fromArgs(['--dhcp-range=198.18.0.0,proxy'])).leaseFile, DEFAULT_LEASE_FILE);
});

test('enable-tftp without tftp-root: TFTP stays off, with a warning', () => {
  const p = fromArgs(['--dhcp-range=198.18.0.0,proxy', '--enable-tftp']);
  assert.ok(p.ok);
  assert.equal(p.plan.config.tftp.enabled, false);
  assert.ok(p.notes.some((n) => n.includes('enable-tftp without tftp-root')));
});

test('--test checks and starts nothing', async () => {
  const e = env();
  const code = await dnsmasqRunCommand({ source: { kind: 'argv', argv: ['--test', '--dhcp-range=198.18.0.0,proxy'] }, bootfleetConfig: null, skipUnknown: false, allowOtherDhcp: false }, e);
  assert.equal(code, 0);
});

test('a refused configuration returns 1 before anything is opened', async () => {
  const code = await dnsmasqRunCommand({ source: { kind: 'argv', argv: ['--dhcp-range=198.18.0.0,proxy', '--no-such-flag'] }, bootfleetConfig: null, skipUnknown: false, allowOtherDhcp: false }, env());
  assert.equal(code, 1);
});

test('splitDnsmasqArgv takes bootfleet\'s flags out and leaves dnsmasq\'s in order', () => {
  const r = splitDnsmasqArgv(['--port=0', '--skip-unknown', '--bootfleet-config', '/x.yaml', '-d', '--allow-other-dhcp', '--dhcp-range=1.2.3.0,proxy']);
  assert.ok('request' in r);
  assert.deepEqual(r.request.source, { kind: 'argv', argv: ['--port=0', '-d', '--dhcp-range=1.2.3.0,proxy'] });
  assert.deepEqual([r.request.bootfleetConfig, r.request.skipUnknown, r.request.allowOtherDhcp], ['/x.yaml', true, true]);
  assert.ok('error' in splitDnsmasqArgv(['--bootfleet-config']));
});

test('the bootfleet config may leave out interfaces; its problems keep their line numbers; http and api run only when it asks', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bootfleet-dnsmasq-base-'));
  const good = path.join(dir, 'good.yaml');
  writeFileSync(good, 'dataDir: /var/tmp/bf\nhttp:\n  port: 8088\n');
  const base = loadBaseConfig(good);
  assert.ok(base.ok);
  assert.deepEqual([base.base.config.dataDir, base.base.config.http.port, [...base.base.keys].sort()], ['/var/tmp/bf', 8088, ['dataDir', 'http']]);
  const bad = path.join(dir, 'bad.yaml');
  writeFileSync(bad, 'dataDir: /var/tmp/bf\nlog:\n  level: loud\n');
  const r = loadBaseConfig(bad);
  assert.ok(!r.ok);
  assert.match(r.errors, /bad\.yaml:3:\d+/);
  const p = prepareDnsmasqRun({ source: { kind: 'argv', argv: ['--dhcp-range=198.18.0.0,proxy'] }, bootfleetConfig: good, skipUnknown: false, allowOtherDhcp: false }, env());
  assert.ok(p.ok);
  assert.equal(p.plan.serveHttp, true);
  assert.equal(p.plan.config.api.enabled, false);
});
