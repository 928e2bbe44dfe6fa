import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadDnsmasqArgs, loadDnsmasqConfFile, parseDnsmasqConfText } from './load.js';
import { formatDnsmasqProblem } from './problems.js';
import { memoryFs } from './test-fs.js';

describe('directives bootfleet does not implement', () => {
  test('an unknown directive is an error naming file, line and directive', () => {
    const r = parseDnsmasqConfText('port=0\ndhcp-rnage=198.18.0.1,198.18.0.9\n', '/etc/dnsmasq.conf');
    assert.deepEqual(r.problems.map(formatDnsmasqProblem), [
      '/etc/dnsmasq.conf:2: dhcp-rnage: "dhcp-rnage" is not a dnsmasq directive [DNSMASQ_UNKNOWN_DIRECTIVE]',
    ]);
  });
  test('a real dnsmasq directive bootfleet does not support is an error too', () => {
    const r = parseDnsmasqConfText('dhcp-script=/bin/echo', 'a.conf');
    assert.equal(r.problems[0]?.code, 'DNSMASQ_UNSUPPORTED_DIRECTIVE');
    assert.match(r.problems[0]?.message ?? '', /dhcp-script is a dnsmasq directive bootfleet does not support yet/);
  });
  test('skipUnknown keeps going and reports them as skipped', () => {
    const r = parseDnsmasqConfText('dhcp-script=/bin/echo\nbogus\nport=0', 'a.conf', { skipUnknown: true });
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.directives.map((d) => (d.kind === 'ignored' ? `${d.name}:${d.why}` : d.kind)), ['dhcp-script:skipped', 'bogus:skipped', 'port']);
  });
  test('DNS directives are accepted and reported as ignored, never dropped', () => {
    const r = parseDnsmasqConfText('domain-needed\nserver=/lab/198.18.0.53\naddress=/x/1.2.3.4\nno-resolv', 'a.conf');
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.directives.map((d) => (d.kind === 'ignored' ? [d.name, d.why, d.note] : [])), [
      ['domain-needed', 'dns', 'DNS is out of scope'], ['server', 'dns', 'DNS is out of scope'], ['address', 'dns', 'DNS is out of scope'], ['no-resolv', 'dns', 'DNS is out of scope'],
    ]);
  });
  test('process directives (foreground, logging, user) are accepted with a note', () => {
    const r = parseDnsmasqConfText('keep-in-foreground\nuser=nobody\nlog-facility=/var/log/dnsmasq.log', 'a.conf');
    assert.deepEqual(r.problems, []);
    assert.ok(r.directives.every((d) => d.kind === 'ignored' && d.why === 'process'));
  });
  test('missing and unexpected values', () => {
    const r = parseDnsmasqConfText('dhcp-range\nlog-dhcp=1', 'a.conf');
    assert.deepEqual(r.problems.map((p) => p.code), ['DNSMASQ_MISSING_VALUE', 'DNSMASQ_UNEXPECTED_VALUE']);
  });
  test('a file that cannot be read', () => {
    const r = loadDnsmasqConfFile('/nope/dnsmasq.conf', { fs: memoryFs({}) });
    assert.equal(r.problems[0]?.code, 'DNSMASQ_INCLUDE');
  });
});

describe('includes', () => {
  const files = {
    '/etc/dnsmasq.conf': 'port=0\nconf-file=/etc/extra.conf\nconf-dir=/etc/dnsmasq.d\nlog-dhcp\n',
    '/etc/extra.conf': 'dhcp-boot=extra.0\n',
    '/etc/dnsmasq.d/20-b.conf': 'dhcp-boot=b.0\n',
    '/etc/dnsmasq.d/10-a.conf': 'dhcp-boot=a.0\n',
    '/etc/dnsmasq.d/10-a.conf~': 'dhcp-boot=backup\n',
    '/etc/dnsmasq.d/.hidden': 'dhcp-boot=hidden\n',
    '/etc/dnsmasq.d/#draft#': 'dhcp-boot=draft\n',
    '/etc/dnsmasq.d/readme.txt': 'dhcp-boot=readme\n',
    '/etc/dnsmasq.d/old.bak': 'dhcp-boot=old\n',
  };
  const boots = (r: ReturnType<typeof loadDnsmasqConfFile>): string[] =>
    r.directives.flatMap((d) => (d.kind === 'dhcp-boot' ? [`${d.file}@${d.at.file}:${d.at.line}`] : []));

  test('conf-file and conf-dir are read where they appear, files in name order, editor files skipped', () => {
    const r = loadDnsmasqConfFile('/etc/dnsmasq.conf', { fs: memoryFs(files) });
    assert.deepEqual(r.problems, []);
    assert.deepEqual(boots(r), [
      'extra.0@/etc/extra.conf:1', 'a.0@/etc/dnsmasq.d/10-a.conf:1', 'b.0@/etc/dnsmasq.d/20-b.conf:1',
      'old@/etc/dnsmasq.d/old.bak:1', 'readme@/etc/dnsmasq.d/readme.txt:1',
    ]);
    assert.equal(r.directives.at(-1)?.kind, 'log-dhcp');
  });
  test('conf-dir extensions: plain ones are skipped, *.ext reads only those', () => {
    const skip = loadDnsmasqConfFile('/x.conf', { fs: memoryFs({ ...files, '/x.conf': 'conf-dir=/etc/dnsmasq.d,.bak,.txt' }) });
    assert.deepEqual(boots(skip).map((b) => b.split('@')[0]), ['a.0', 'b.0']);
    const only = loadDnsmasqConfFile('/x.conf', { fs: memoryFs({ ...files, '/x.conf': 'conf-dir=/etc/dnsmasq.d,*.conf' }) });
    assert.deepEqual(boots(only).map((b) => b.split('@')[0]), ['a.0', 'b.0']);
    const conf = only.directives[0];
    assert.ok(conf?.kind === 'conf-dir');
    assert.deepEqual(conf.files, ['/etc/dnsmasq.d/10-a.conf', '/etc/dnsmasq.d/20-b.conf']);
  });
  test('a file included twice is read once; a missing directory is a problem', () => {
    const r = loadDnsmasqConfFile('/x.conf', { fs: memoryFs({ ...files, '/x.conf': 'conf-file=/etc/extra.conf\nconf-file=/etc/extra.conf\nconf-dir=/nope' }) });
    assert.equal(boots(r).length, 1);
    assert.deepEqual(r.problems.map((p) => [p.at.line, p.code]), [[3, 'DNSMASQ_INCLUDE']]);
  });
  test('conf-file=- (stdin) is refused', () => {
    assert.equal(parseDnsmasqConfText('conf-file=-', 'a').problems[0]?.code, 'DNSMASQ_INCLUDE');
  });
});

describe('the command line', () => {
  const fs = memoryFs({ '/etc/pxe.conf': 'dhcp-boot=from-file.0\n', '/etc/dnsmasq.conf': 'dhcp-boot=default.0\n' });
  const kinds = (argv: string[], opts = {}): string[] =>
    loadDnsmasqArgs(argv, { fs, defaultConfFile: null, ...opts }).directives.map((d) =>
      d.kind === 'dhcp-boot' ? `boot:${d.file}` : d.kind === 'ignored' ? d.name : d.kind,
    );

  test('--name=value, --name value, flags, short options, clusters', () => {
    assert.deepEqual(kinds(['--port=0', '--dhcp-boot', 'a.0', '-M', 'b.0', '-Mc.0', '--log-dhcp', '-kd']), [
      'port', 'boot:a.0', 'boot:b.0', 'boot:c.0', 'log-dhcp', 'keep-in-foreground', 'no-daemon',
    ]);
  });
  test('unambiguous prefixes of long names, as getopt_long allows', () => {
    assert.deepEqual(kinds(['--dhcp-bo=x.0', '--keep-in']), ['boot:x.0', 'keep-in-foreground']);
    const r = loadDnsmasqArgs(['--dhcp-'], { fs, defaultConfFile: null });
    assert.match(r.problems[0]?.message ?? '', /ambiguous/);
  });
  test('the first --conf-file is read after all other options, later ones in place', () => {
    assert.deepEqual(kinds(['--conf-file=/etc/pxe.conf', '--dhcp-boot=cmd.0']), ['boot:cmd.0', 'conf-file', 'boot:from-file.0']);
  });
  test('without --conf-file the default file is read if it exists', () => {
    assert.deepEqual(kinds(['--port=0'], { defaultConfFile: '/etc/dnsmasq.conf' }), ['port', 'boot:default.0']);
    assert.deepEqual(kinds(['--port=0'], { defaultConfFile: '/etc/missing.conf' }), ['port']);
  });
  test('errors: unknown option, flag with a value, value missing at the end', () => {
    const r = loadDnsmasqArgs(['--no-such', '--log-dhcp=1', '-M'], { fs, defaultConfFile: null });
    assert.deepEqual(r.problems.map((p) => [p.at.line, p.code]), [[1, 'DNSMASQ_COMMAND_LINE'], [2, 'DNSMASQ_COMMAND_LINE'], [3, 'DNSMASQ_COMMAND_LINE']]);
    assert.match(formatDnsmasqProblem(r.problems[0]!), /^command line argument 1: no-such: --no-such is not a dnsmasq option/);
  });
  test('a bad value on the command line names the argument', () => {
    const r = loadDnsmasqArgs(['--port=0', '--dhcp-range', 'junk'], { fs, defaultConfFile: null });
    assert.match(formatDnsmasqProblem(r.problems[0]!), /^command line argument 2: dhcp-range: dhcp-range needs <start>,<end>/);
  });
  test('a value given to --dhcp-range as the next argument is that value, not junk', () => {
    const r = loadDnsmasqArgs(['--dhcp-range', '198.18.0.1,198.18.0.9'], { fs, defaultConfFile: null });
    assert.deepEqual(r.problems, []);
    assert.equal(r.directives[0]?.kind, 'dhcp-range');
  });
  test('anything that is not an option is junk', () => {
    const r = loadDnsmasqArgs(['--port=0', 'stray'], { fs, defaultConfFile: null });
    assert.match(r.problems[0]?.message ?? '', /"stray" is not an option/);
  });
});
