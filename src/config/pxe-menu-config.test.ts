import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatProblems, parseConfigText } from './load.js';

const base = (mode: string, menu: string): string => `
interfaces:
  - name: bf0
    mode: ${mode}
profiles:
  default: { kernel: vmlinuz }
boot:
  menu:
${menu}
`;

const items = `    prompt: { text: "Press F8", timeout: 5 }
    items:
      - { label: Local disk, csa: x86PC, plan: local }
      - { label: Install, csa: X86-64_EFI, plan: ipxe.efi }`;

describe('boot.menu and interfaces[].proxyPresent', () => {
  test('a menu loads; proxyPresent defaults to false', () => {
    const r = parseConfigText(base('proxy', items), 'bootfleet.yaml');
    assert.ok(r.ok, r.ok ? '' : formatProblems(r.errors));
    assert.deepEqual(r.config.boot.menu?.items.map((i) => i.csa), ['x86PC', 'X86-64_EFI']);
    assert.deepEqual(r.config.boot.menu?.prompt, { text: 'Press F8', timeout: 5 });
    assert.equal(r.config.interfaces[0]?.proxyPresent, false);
    assert.deepEqual(r.warnings, []);
  });

  test('a menu with no proxy interface loads with a warning', () => {
    const r = parseConfigText(base('full', items), 'bootfleet.yaml');
    assert.ok(r.ok);
    assert.ok(r.warnings.some((w) => /boot\.menu.*proxy mode/.test(w)), r.warnings.join('\n'));
  });

  test('an unknown CSA, a control character in a label, a timeout over 255: refused with their lines', () => {
    const r = parseConfigText(
      base('proxy', `    prompt: { timeout: 300 }
    items:
      - { label: "bad\\nlabel", csa: x86PC, plan: local }
      - { label: ok, csa: X86_64, plan: ipxe.efi }`),
      'bootfleet.yaml',
    );
    assert.equal(r.ok, false);
    const keys = r.ok ? [] : r.errors.map((e) => `${e.key}@${e.line}`);
    assert.deepEqual(keys.sort(), ['boot.menu.items[0].label@11', 'boot.menu.items[1].csa@12', 'boot.menu.prompt.timeout@9']);
  });

  test('more items for one arch than a 255-byte PXE sub-option holds: refused', () => {
    const many = Array.from({ length: 12 }, (_, i) => `      - { label: "${'x'.repeat(20)} ${i}", csa: X86-64_EFI, plan: ipxe.efi }`).join('\n');
    const r = parseConfigText(base('proxy', `    items:\n${many}`), 'bootfleet.yaml');
    assert.equal(r.ok, false);
    const problem = r.ok ? undefined : r.errors.find((e) => e.key === 'boot.menu.items');
    assert.match(problem?.message ?? '', /arch 7 .* at most 255/);
  });

  test('proxyPresent must be a boolean', () => {
    const r = parseConfigText(`interfaces:\n  - { name: bf0, proxyPresent: maybe }\n`, 'bootfleet.yaml');
    assert.equal(r.ok, false);
    assert.equal(r.ok ? '' : r.errors[0]?.key, 'interfaces[0].proxyPresent');
  });
});
