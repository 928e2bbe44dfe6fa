import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { formatProblems, loadConfigFile, parseConfigText, type ConfigProblem, type ConfigResult } from './load.js';

const good = `
dataDir: ./data
interfaces:
  - name: eth1
    mode: full
dhcp:
  subnets:
    - subnet: 198.18.0.0/24
      router: 198.18.0.1
      leaseTime: 12h
      pools:
        - { start: 198.18.0.100, end: 198.18.0.199 }
  reservations:
    - { mac: 52-54-00-AA-BB-CC, address: 198.18.0.10 }
profiles:
  default: { kernel: vmlinuz, initrd: [initrd.img] }
machines:
  - { mac: 52:54:00:00:00:01, profile: default }
`;

function errorsOf(result: ConfigResult): ConfigProblem[] {
  assert.equal(result.ok, false, 'expected the config to be refused');
  return result.ok ? [] : result.errors;
}

function problemAt(problems: ConfigProblem[], key: string): ConfigProblem {
  const p = problems.find((x) => x.key === key);
  assert.ok(p, `no problem for ${key}; got:\n${formatProblems(problems)}`);
  return p;
}

describe('parseConfigText', () => {
  test('a good config loads, with defaults, normalised MACs and absolute paths', () => {
    const r = parseConfigText(good, '/etc/bootfleet/bootfleet.yaml');
    assert.ok(r.ok, r.ok ? '' : formatProblems(r.errors));
    assert.deepEqual(r.warnings, []);
    const c = r.config;
    assert.equal(c.dataDir, '/etc/bootfleet/data');
    assert.equal(c.http.root, '/etc/bootfleet/http');
    assert.equal(c.tftp.root, '/etc/bootfleet/tftp');
    assert.equal(c.tftp.ipxeDir, '/usr/lib/ipxe');
    assert.equal(c.dhcp.port, 67);
    assert.equal(c.dhcp.subnets[0]?.leaseTime, 12 * 3600);
    assert.equal(c.dhcp.reservations[0]?.mac, '52:54:00:aa:bb:cc');
    assert.deepEqual(c.profiles.default, { kernel: 'vmlinuz', initrd: ['initrd.img'], cmdline: '' });
  });

  test('the returned config is deeply frozen', () => {
    const r = parseConfigText(good, 'bootfleet.yaml');
    assert.ok(r.ok);
    assert.ok(Object.isFrozen(r.config));
    assert.ok(Object.isFrozen(r.config.dhcp.subnets[0]?.pools[0]));
    const profile = r.config.profiles.default;
    assert.ok(Object.isFrozen(profile && 'initrd' in profile ? profile.initrd : undefined));
    assert.throws(() => {
      (r.config.http as { port: number }).port = 1;
    }, TypeError);
  });

  test('mode: off stays a string (YAML 1.2, not a 1.1 boolean)', () => {
    const r = parseConfigText('interfaces: [{ name: eth1, mode: off }]\nprofiles: { default: { kernel: k } }\n', 'x.yaml');
    assert.ok(r.ok, r.ok ? '' : formatProblems(r.errors));
    assert.equal(r.config.interfaces[0]?.mode, 'off');
  });

  test('a bad enum names file, line, column, key, the bad value and the choices', () => {
    const text = 'interfaces:\n  - name: eth1\n    mode: fulll\n';
    const [p, ...rest] = errorsOf(parseConfigText(text, 'bootfleet.yaml'));
    assert.equal(rest.length, 0);
    assert.deepEqual(p, {
      file: 'bootfleet.yaml',
      line: 3,
      column: 11,
      key: 'interfaces[0].mode',
      code: 'CFG_VALUE',
      message: 'got "fulll", expected one of full, proxy, off',
    });
    assert.equal(formatProblems([p]), 'bootfleet.yaml:3:11: interfaces[0].mode: got "fulll", expected one of full, proxy, off');
  });

  test('every kind of schema problem is reported at once, each at its own line', () => {
    const text = [
      /* 1 */ 'interfaces:',
      /* 2 */ '  - name: eth1',
      /* 3 */ '    mode: fulll',
      /* 4 */ '  - mode: proxy',
      /* 5 */ '    servrAddress: 198.18.0.1',
      /* 6 */ 'dhcp:',
      /* 7 */ '  authoritative: yes',
      /* 8 */ '  port: 70000',
      /* 9 */ '  subnets:',
      /* 10 */ '    - subnet: 198.18.0.0/33',
      /* 11 */ '      pools: []',
      /* 12 */ '      leaseTime: 5x',
      /* 13 */ '  reservations:',
      /* 14 */ '    - { mac: "52:54:00:zz:00:01", address: 198.18.0.300 }',
      /* 15 */ 'profiles:',
      /* 16 */ '  default:',
      /* 17 */ '    kernel: vmlinuz',
      /* 18 */ '    initrd: initrd.img',
      /* 19 */ 'colour: blue',
      '',
    ].join('\n');
    const problems = errorsOf(parseConfigText(text, 'b.yaml'));
    const expect: [string, number, string, RegExp][] = [
      ['interfaces[0].mode', 3, 'CFG_VALUE', /got "fulll", expected one of full, proxy, off/],
      ['interfaces[1].name', 4, 'CFG_MISSING_KEY', /required key is missing, expected a string/],
      ['interfaces[1].servrAddress', 5, 'CFG_UNKNOWN_KEY', /unknown key "servrAddress" \(did you mean "serverAddress"\?\)/],
      ['dhcp.authoritative', 7, 'CFG_TYPE', /got "yes", expected true or false/],
      ['dhcp.port', 8, 'CFG_VALUE', /got 70000, expected a number <= 65535/],
      ['dhcp.subnets[0].subnet', 10, 'CFG_VALUE', /got "198.18.0.0\/33", expected an IPv4 network like 198.18.0.0\/24/],
      ['dhcp.subnets[0].pools', 11, 'CFG_VALUE', /got 0 items, expected at least 1 item/],
      ['dhcp.subnets[0].leaseTime', 12, 'CFG_VALUE', /got "5x", expected a duration like 3600, 90s/],
      ['dhcp.reservations[0].mac', 14, 'CFG_VALUE', /expected a MAC address like/],
      ['dhcp.reservations[0].address', 14, 'CFG_VALUE', /got "198.18.0.300", expected an IPv4 address/],
      ['profiles.default.initrd', 18, 'CFG_TYPE', /got "initrd.img", expected a list/],
      ['colour', 19, 'CFG_UNKNOWN_KEY', /unknown key "colour", expected one of dataDir, log, interfaces/],
    ];
    for (const [key, line, code, message] of expect) {
      const p = problemAt(problems, key);
      assert.equal(p.line, line, `${key} line`);
      assert.equal(p.code, code, `${key} code`);
      assert.equal(p.file, 'b.yaml');
      assert.match(p.message, message);
    }
    assert.equal(problems.length, expect.length, formatProblems(problems));
    const lines = problems.map((p) => p.line);
    assert.deepEqual(lines, [...lines].sort((a, b) => a - b), 'problems come in file order');
  });

  test('a missing top-level key points at line 1; an empty file is not a crash', () => {
    for (const text of ['', '# only a comment\n', 'dataDir: /x\n']) {
      const [p, ...rest] = errorsOf(parseConfigText(text, 'e.yaml'));
      assert.equal(rest.length, 0);
      assert.equal(p?.key, 'interfaces');
      assert.equal(p?.code, 'CFG_MISSING_KEY');
      assert.equal(p?.line, 1);
    }
  });

  test('a document that is not a mapping says so', () => {
    const [p] = errorsOf(parseConfigText('- a\n- b\n', 'l.yaml'));
    assert.equal(p?.key, '');
    assert.match(p?.message ?? '', /got a list of 2 items, expected a mapping/);
  });

  test('an empty value points at its key', () => {
    const text = 'interfaces:\n  - name: eth1\ndhcp:\n  subnets:\n    - subnet: 198.18.0.0/24\n      router:\n      pools: [{ start: 198.18.0.2, end: 198.18.0.3 }]\n';
    const p = problemAt(errorsOf(parseConfigText(text, 'r.yaml')), 'dhcp.subnets[0].router');
    assert.equal(p.line, 6);
    assert.equal(p.column, 7);
    assert.match(p.message, /got an empty value/);
  });

  test('control characters in profile values are refused with their line', () => {
    const text = 'interfaces: [{ name: eth1 }]\nprofiles:\n  default:\n    kernel: vmlinuz\n    cmdline: "quiet\\nshell rm -rf /"\n';
    const p = problemAt(errorsOf(parseConfigText(text, 'c.yaml')), 'profiles.default.cmdline');
    assert.equal(p.line, 5);
    assert.match(p.message, /got "quiet\\nshell rm -rf \/", expected text without line breaks/);
  });

  test('odd profile names are quoted in the key', () => {
    const text = 'interfaces: [{ name: eth1 }]\nprofiles:\n  "my profile": { kernel: "" }\nboot: { defaultProfile: "my profile" }\n';
    const p = problemAt(errorsOf(parseConfigText(text, 'q.yaml')), 'profiles["my profile"].kernel');
    assert.equal(p.line, 3);
  });

  test('problems inside an anchored block point at the anchor', () => {
    const text = 'interfaces:\n  - &a { name: eth1, mode: bad }\n  - *a\n';
    const problems = errorsOf(parseConfigText(text, 'a.yaml'));
    assert.equal(problemAt(problems, 'interfaces[0].mode').line, 2);
    assert.equal(problemAt(problems, 'interfaces[1].mode').line, 2);
  });
});

describe('YAML syntax errors', () => {
  test('become problems with line and column, all of them', () => {
    const text = 'interfaces:\n  - name: eth1\n    mode: [full\nfoo: 1\nfoo: 2\n';
    const problems = errorsOf(parseConfigText(text, 's.yaml'));
    assert.ok(problems.length >= 2, formatProblems(problems));
    for (const p of problems) {
      assert.equal(p.code, 'CFG_YAML');
      assert.equal(p.file, 's.yaml');
      assert.equal(p.key, '');
      assert.ok(p.line >= 3, formatProblems(problems));
      assert.ok(p.column >= 1);
    }
    const dup = problems.find((p) => /unique/i.test(p.message));
    assert.equal(dup?.line, 5);
    assert.match(formatProblems(problems), /^s\.yaml:\d+:\d+: YAML: /m);
  });

  test('a bad indent is placed on its line', () => {
    const [p] = errorsOf(parseConfigText('interfaces:\n  - name: eth1\n   mode: full\n', 'i.yaml'));
    assert.equal(p?.line, 3);
  });

  test('an alias bomb is refused, not expanded', () => {
    const rows = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 0; i < 8; i++) rows.push(`${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill('*' + String.fromCharCode(97 + i)).join(', ')}]`);
    const problems = errorsOf(parseConfigText(rows.join('\n') + '\n', 'bomb.yaml'));
    assert.equal(problems[0]?.code, 'CFG_YAML');
  });
});

describe('semantic checks', () => {
  const text = [
    /* 1 */ 'interfaces:',
    /* 2 */ '  - name: eth1',
    /* 3 */ '  - name: eth1',
    /* 4 */ '    mode: proxy',
    /* 5 */ 'dhcp:',
    /* 6 */ '  subnets:',
    /* 7 */ '    - subnet: 198.18.0.0/24',
    /* 8 */ '      router: 198.19.0.1',
    /* 9 */ '      pools:',
    /* 10 */ '        - { start: 198.18.0.100, end: 198.18.0.50 }',
    /* 11 */ '        - { start: 198.18.0.0, end: 198.18.0.20 }',
    /* 12 */ '        - { start: 198.18.0.10, end: 198.18.1.20 }',
    /* 13 */ '    - subnet: 198.18.0.128/25',
    /* 14 */ '      pools: [{ start: 198.18.0.210, end: 198.18.0.220 }]',
    /* 15 */ '  reservations:',
    /* 16 */ '    - { mac: 52:54:00:00:00:01, address: 198.18.0.10 }',
    /* 17 */ '    - { mac: 52-54-00-00-00-01, address: 198.18.0.10 }',
    /* 18 */ '    - { mac: 52:54:00:00:00:03, address: 198.18.5.10 }',
    /* 19 */ 'boot:',
    /* 20 */ '  defaultProfile: nope',
    /* 21 */ 'profiles:',
    /* 22 */ '  default: { kernel: vmlinuz }',
    /* 23 */ 'machines:',
    /* 24 */ '  - { mac: 52:54:00:00:00:02, profile: missing }',
    /* 25 */ '  - { mac: 52:54:00:00:00:02, profile: default }',
    '',
  ].join('\n');
  const problems = errorsOf(parseConfigText(text, 'sem.yaml'));
  const expect: [string, number, string, RegExp][] = [
    ['interfaces[1].name', 3, 'CFG_DUPLICATE_INTERFACE', /got "eth1" again.*interfaces\[0\]/],
    ['dhcp.subnets[0].router', 8, 'CFG_ROUTER_OUTSIDE_SUBNET', /got 198.19.0.1, expected an address inside 198.18.0.0\/24/],
    ['dhcp.subnets[0].pools[0]', 10, 'CFG_POOL_RANGE', /start 198.18.0.100 after end 198.18.0.50/],
    ['dhcp.subnets[0].pools[1]', 11, 'CFG_POOL_RANGE', /network address/],
    ['dhcp.subnets[0].pools[2]', 12, 'CFG_POOL_OVERLAP', /overlaps dhcp.subnets\[0\].pools\[1\]/],
    ['dhcp.subnets[0].pools[2].end', 12, 'CFG_POOL_OUTSIDE_SUBNET', /got 198.18.1.20, expected an address inside 198.18.0.0\/24/],
    ['dhcp.subnets[1].subnet', 13, 'CFG_SUBNET_OVERLAP', /overlaps dhcp.subnets\[0\]/],
    ['dhcp.subnets[1].pools[0]', 14, 'CFG_POOL_OVERLAP', /overlaps dhcp.subnets\[0\].pools\[2\]/],
    ['dhcp.reservations[1].mac', 17, 'CFG_DUPLICATE_MAC', /52:54:00:00:00:01 again/],
    ['dhcp.reservations[1].address', 17, 'CFG_DUPLICATE_ADDRESS', /198.18.0.10 again/],
    ['dhcp.reservations[2].address', 18, 'CFG_RESERVATION_OUTSIDE_SUBNET', /got 198.18.5.10, expected an address inside one of/],
    ['boot.defaultProfile', 20, 'CFG_UNKNOWN_PROFILE', /got "nope", expected one of the profiles: default/],
    ['machines[0].profile', 24, 'CFG_UNKNOWN_PROFILE', /got "missing"/],
    ['machines[1].mac', 25, 'CFG_DUPLICATE_MAC', /each machine once/],
  ];
  for (const [key, line, code, message] of expect) {
    test(`${code} at ${key}`, () => {
      const p = problems.find((x) => x.key === key && x.code === code);
      assert.ok(p, formatProblems(problems));
      assert.equal(p.line, line);
      assert.match(p.message, message);
    });
  }
  test('nothing else is reported', () => {
    assert.equal(problems.length, expect.length, formatProblems(problems));
  });

  test('a missing default profile is blamed on boot.defaultProfile even when boot is not written', () => {
    const p = errorsOf(parseConfigText('interfaces: [{ name: eth1, mode: proxy }]\nprofiles:\n  rescue: { kernel: k }\n', 'd.yaml'));
    assert.equal(p[0]?.key, 'boot.defaultProfile');
    assert.equal(p[0]?.line, 1);
  });

  test('warnings: no profiles; full mode with no subnets; host bits set', () => {
    const r = parseConfigText('interfaces: [{ name: eth1 }]\ndhcp:\n  subnets: []\n', '/x/w.yaml');
    assert.ok(r.ok);
    assert.equal(r.warnings.length, 2, r.warnings.join('\n'));
    assert.match(r.warnings.join('\n'), /^\/x\/w\.yaml:\d+:\d+: profiles: no profiles/m);
    assert.match(r.warnings.join('\n'), /interfaces\[0\]\.mode: interface eth1 is in full mode but dhcp.subnets is empty/);
    const h = parseConfigText(
      'interfaces: [{ name: eth1 }]\ndhcp:\n  subnets:\n    - { subnet: 198.18.0.5/24, pools: [{ start: 198.18.0.9, end: 198.18.0.9 }] }\nprofiles: { default: { kernel: k } }\n',
      'h.yaml',
    );
    assert.ok(h.ok, h.ok ? '' : formatProblems(h.errors));
    assert.deepEqual(h.warnings, ['h.yaml:4:17: dhcp.subnets[0].subnet: "198.18.0.5/24" has host bits set; using network 198.18.0.0/24']);
  });

  test('/31 and /32 subnets may pool every address', () => {
    const r = parseConfigText(
      'interfaces: [{ name: eth1 }]\ndhcp:\n  subnets:\n    - { subnet: 198.18.0.0/31, pools: [{ start: 198.18.0.0, end: 198.18.0.1 }] }\nprofiles: { default: { kernel: k } }\n',
      'p.yaml',
    );
    assert.ok(r.ok, r.ok ? '' : formatProblems(r.errors));
  });
});

describe('durations', () => {
  const cases: [string, number | null][] = [
    ['3600', 3600],
    ['90s', 90],
    ['30m', 1800],
    ['12h', 43200],
    ['7d', 604800],
    ['0', null],
    ['0s', null],
    ['-5', null],
    ['1.5', null],
    ['5x', null],
    ['"10 m"', null],
    ['true', null],
  ];
  for (const [written, seconds] of cases) {
    test(`leaseTime: ${written}`, () => {
      const text = `interfaces: [{ name: eth1 }]\nprofiles: { default: { kernel: k } }\ndhcp:\n  subnets:\n    - subnet: 198.18.0.0/24\n      pools: [{ start: 198.18.0.10, end: 198.18.0.20 }]\n      leaseTime: ${written}\n`;
      const r = parseConfigText(text, 'd.yaml');
      if (seconds === null) {
        const p = problemAt(errorsOf(r), 'dhcp.subnets[0].leaseTime');
        assert.equal(p.line, 7);
        assert.match(p.message, /^got .*, expected (a duration like|a whole number|a number > 0)/);
      } else {
        assert.ok(r.ok, r.ok ? '' : formatProblems(r.errors));
        assert.equal(r.config.dhcp.subnets[0]?.leaseTime, seconds);
      }
    });
  }
});

describe('loadConfigFile', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bootfleet-config-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('resolves relative paths against the file, not the working directory', () => {
    const file = path.join(dir, 'bootfleet.yaml');
    writeFileSync(file, good);
    const r = loadConfigFile(file);
    assert.ok(r.ok, r.ok ? '' : formatProblems(r.errors));
    assert.equal(r.config.dataDir, path.join(dir, 'data'));
    assert.equal(r.config.http.root, path.join(dir, 'http'));
  });

  test('problems carry the file name as given', () => {
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(file, 'interfaces:\n  - name: eth1\n    mode: fulll\n');
    const [p] = errorsOf(loadConfigFile(file));
    assert.equal(p?.file, file);
    assert.equal(p?.line, 3);
  });

  test('an unreadable file is one problem, not a throw', () => {
    const [p, ...rest] = errorsOf(loadConfigFile(path.join(dir, 'absent.yaml')));
    assert.equal(rest.length, 0);
    assert.equal(p?.code, 'CFG_READ');
    assert.match(formatProblems([p as ConfigProblem]), /absent\.yaml: cannot read the file \(ENOENT\)/);
  });
});

describe('profile kinds', () => {
  const head = 'interfaces: [{ name: eth1 }]\nboot: { defaultProfile: a }\nprofiles:\n';

  test('every kind loads; a profile without kind is linux, unchanged', () => {
    const text =
      head +
      [
        '  a: { kernel: vmlinuz, cmdline: "host={{ hostname }}", install: d }',
        '  m: { kind: pxelinux, default: x, entries: [{ label: x, kernel: vmlinuz, append: quiet }] }',
        '  c: { kind: chain, url: "https://boot.netboot.xyz/" }',
        '  s: { kind: sanboot, rootPath: "iscsi:198.18.0.2::::iqn.2026-01.example:d", keepSan: true }',
        '  l: { kind: local }',
        '  d: { kind: debian-installer, kernel: debian/linux, initrd: [debian/initrd.gz], preseed: "d-i x string y\\n" }',
        '  ci: { kind: cloud-init, kernel: vmlinuz, userData: { packages: [curl] } }',
      ].join('\n') +
      '\n';
    const r = parseConfigText(text, 'k.yaml');
    assert.ok(r.ok, r.ok ? '' : formatProblems(r.errors));
    assert.deepEqual(r.config.profiles['a'], { kernel: 'vmlinuz', initrd: [], cmdline: 'host={{ hostname }}', install: 'd' });
    assert.deepEqual(Object.values(r.config.profiles).map((p) => p.kind ?? 'linux'), ['linux', 'pxelinux', 'chain', 'sanboot', 'local', 'debian-installer', 'cloud-init']);
  });

  test('problems: unknown kind, a key of another kind (with a did-you-mean), install and default naming nothing', () => {
    const text = head + ['  a: { kernel: k, install: nope }', '  b: { kind: pxe }', '  c: { kind: chain, urll: x }', '  m: { kind: pxelinux, default: z, entries: [{ label: x, kernel: k }] }'].join('\n') + '\n';
    const bad = parseConfigText(text, 'k.yaml');
    assert.ok(!bad.ok);
    const all = formatProblems(bad.errors);
    assert.match(all, /profiles\.b\.kind: .*linux.*pxelinux.*chain/);
    assert.match(all, /profiles\.c\.urll: unknown key "urll" \(did you mean "url"\?\)/);
    // Semantic checks run once the schema passes: fix the schema problems and look again.
    const semantic = parseConfigText(head + ['  a: { kernel: k, install: nope }', '  m: { kind: pxelinux, default: z, entries: [{ label: x, kernel: k }] }'].join('\n') + '\n', 'k.yaml');
    assert.ok(!semantic.ok);
    const s = formatProblems(semantic.errors);
    assert.match(s, /profiles\.a\.install: got "nope", expected one of the profiles/);
    assert.match(s, /profiles\.m\.default: got "z", expected the label of one of its entries: x/);
  });
});
