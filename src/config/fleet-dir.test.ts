import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { formatProblems, loadConfigFile } from './load.js';

const root = mkdtempSync(path.join(tmpdir(), 'bootfleet-fleetdir-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A config dir with `bootfleet.yaml` and a `fleet.d` folder holding `files`. */
function setup(name: string, main: string, files: Record<string, string>): string {
  const dir = path.join(root, name);
  mkdirSync(path.join(dir, 'fleet.d'), { recursive: true });
  writeFileSync(path.join(dir, 'bootfleet.yaml'), main);
  for (const [file, body] of Object.entries(files)) writeFileSync(path.join(dir, 'fleet.d', file), body);
  return path.join(dir, 'bootfleet.yaml');
}

const MAIN = `interfaces:
  - name: lo
fleetDir: fleet.d
boot:
  defaultProfile: base
profiles:
  base:
    kernel: base/vmlinuz
`;

describe('fleetDir', () => {
  test('a good folder: files merged in name order with the main config; other names ignored; path made absolute', () => {
    const file = setup('good', MAIN, {
      '20-web.yml': 'groups:\n  web:\n    profile: web\n    selector:\n      labels: { role: web }\nmachines:\n  - mac: 52:54:00:00:00:02\n    profile: base\n',
      '10-profiles.yaml': 'profiles:\n  web:\n    kind: chain\n    url: http://example/web.ipxe\nmachines:\n  - mac: 52-54-00-00-00-01\n    profile: web\n',
      'README.txt': 'not: [yaml',
      'empty.yaml': '',
    });
    const r = loadConfigFile(file);
    assert.ok(r.ok, r.ok ? '' : formatProblems(r.errors));
    assert.deepEqual(Object.keys(r.config.profiles).sort(), ['base', 'web']);
    assert.deepEqual(Object.keys(r.config.groups), ['web']);
    assert.deepEqual(r.config.machines.map((m) => [m.mac, m.profile]), [['52:54:00:00:00:01', 'web'], ['52:54:00:00:00:02', 'base']]);
    assert.equal(r.config.fleetDir, path.join(path.dirname(file), 'fleet.d'));
  });

  test('a bad file: every problem names the file, line and key; the main config is not blamed', () => {
    const file = setup('bad', MAIN, {
      'a.yaml': 'profiles:\n  ok:\n    kernel: k\n',
      'b.yaml': 'machines:\n  - mac: 52:54:00:00:00:09\n    profile: base\n  - mac: not-a-mac\n    profile: base\ninterfaces: []\n',
    });
    const r = loadConfigFile(file);
    assert.equal(r.ok, false);
    if (r.ok) return;
    const shown = formatProblems(r.errors);
    const bad = path.join(path.dirname(file), 'fleet.d', 'b.yaml');
    assert.match(shown, new RegExp(`^${bad}:4:\\d+: machines\\[1\\]\\.mac: `, 'm'));
    assert.match(shown, new RegExp(`^${bad}:6:\\d+: interfaces: `, 'm'));
    assert.ok(r.errors.every((e) => e.file === bad), shown);
  });

  test('YAML syntax errors in a file are placed in that file', () => {
    const file = setup('syntax', MAIN, { 'x.yaml': 'profiles:\n  a:\n    kernel: [unclosed\n' });
    const r = loadConfigFile(file);
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.errors[0]?.code, 'CFG_YAML');
    assert.equal(r.errors[0]?.file, path.join(path.dirname(file), 'fleet.d', 'x.yaml'));
  });

  test('a reference across files is checked on the merged fleet and placed where it is written', () => {
    const file = setup('unknown-profile', MAIN, { 'm.yaml': '# machines\nmachines:\n  - mac: 52:54:00:00:00:03\n    profile: nope\n' });
    const r = loadConfigFile(file);
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(formatProblems(r.errors).split('\n').length, 1);
    assert.deepEqual([r.errors[0]?.file, r.errors[0]?.line, r.errors[0]?.key, r.errors[0]?.code], [path.join(path.dirname(file), 'fleet.d', 'm.yaml'), 4, 'machines[0].profile', 'CFG_UNKNOWN_PROFILE']);
  });

  test('duplicates across files (and with the main config) are errors naming both places', () => {
    const file = setup('dup', MAIN, {
      'a.yaml': 'groups:\n  g:\n    profile: base\nmachines:\n  - mac: 52:54:00:00:00:05\n    profile: base\n',
      'b.yaml': 'profiles:\n  base:\n    kernel: other\ngroups:\n  g:\n    profile: base\nmachines:\n  - mac: 52:54:00:00:00:05\n    profile: base\n',
    });
    const r = loadConfigFile(file);
    assert.equal(r.ok, false);
    if (r.ok) return;
    const a = path.join(path.dirname(file), 'fleet.d', 'a.yaml');
    const b = path.join(path.dirname(file), 'fleet.d', 'b.yaml');
    const lines = formatProblems(r.errors).split('\n');
    assert.equal(lines.length, 3, lines.join('\n'));
    assert.match(lines[0]!, new RegExp(`^${b}:2:3: profiles\\.base: profile "base" is declared again.*first at ${file}:7:3\\)$`));
    assert.match(lines[1]!, new RegExp(`^${b}:5:3: groups\\.g: group "g" is declared again.*first at ${a}:2:3\\)$`));
    assert.match(lines[2]!, new RegExp(`^${b}:8:\\d+: machines\\[0\\]\\.mac: machine 52:54:00:00:00:05 is declared again.*first at ${a}:5:\\d+\\)$`));
    assert.deepEqual(r.errors.map((e) => e.code), ['CFG_DUPLICATE_NAME', 'CFG_DUPLICATE_NAME', 'CFG_DUPLICATE_MAC']);
  });

  test('a missing folder is a problem at the fleetDir key', () => {
    const dir = path.join(root, 'missing');
    mkdirSync(dir);
    const file = path.join(dir, 'bootfleet.yaml');
    writeFileSync(file, MAIN.replace('fleet.d', 'nowhere'));
    const r = loadConfigFile(file);
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.deepEqual([r.errors[0]?.line, r.errors[0]?.key, r.errors[0]?.code], [3, 'fleetDir', 'CFG_READ']);
    assert.match(r.errors[0]?.message ?? '', /ENOENT/);
  });
});
