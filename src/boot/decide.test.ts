import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configSchema } from '../config/schema.js';
import { decide, type DecideContext } from './decide.js';
import { syntheticFacts } from './synthetic-facts.js';

const config = configSchema.parse({
  interfaces: [{ name: 'bf0', mode: 'full' }],
  boot: { uefi: 'snponly.efi' },
  profiles: {
    default: { kernel: 'vmlinuz', initrd: ['initrd.img'], cmdline: 'console=ttyS0 bf.profile=default' },
    web: { kernel: 'vmlinuz', cmdline: 'bf.profile=web' },
  },
  machines: [{ mac: '52:54:00:00:00:02', profile: 'web' }],
});

const full: DecideContext = { mode: 'full', serverAddress: '198.18.0.2', httpPort: 8080, config };
const proxy: DecideContext = { ...full, mode: 'proxy' };
const mac = '52:54:00:00:00:01';

// One row per firmware × arch × iPXE × mode: the whole policy in a table.
const rows: Array<{ name: string; facts: Parameters<typeof syntheticFacts>[0]; ctx: DecideContext; kind: string; file?: string; url?: string }> = [
  { name: 'BIOS PXE gets undionly.kpxe', facts: { mac, arch: 0, ipxe: false }, ctx: full, kind: 'chainload-tftp', file: 'undionly.kpxe' },
  { name: 'PXE without option 93 is BIOS', facts: { mac, arch: null, ipxe: false }, ctx: full, kind: 'chainload-tftp', file: 'undionly.kpxe' },
  { name: 'UEFI x64 (7) gets the configured UEFI binary', facts: { mac, arch: 7, ipxe: false }, ctx: full, kind: 'chainload-tftp', file: 'snponly.efi' },
  { name: 'UEFI x64 (9) gets the configured UEFI binary', facts: { mac, arch: 9, ipxe: false }, ctx: full, kind: 'chainload-tftp', file: 'snponly.efi' },
  { name: 'ARM64 with no binary configured: no boot', facts: { mac, arch: 11, ipxe: false }, ctx: full, kind: 'no-boot' },
  { name: 'IA32 with no binary configured: no boot', facts: { mac, arch: 6, ipxe: false }, ctx: full, kind: 'no-boot' },
  { name: 'unknown arch: no wrong binary offered', facts: { mac, arch: 42, ipxe: false }, ctx: full, kind: 'no-boot' },
  { name: 'unknown arch in proxy mode: silence', facts: { mac, arch: 42, ipxe: false }, ctx: proxy, kind: 'ignore' },
  { name: 'iPXE on BIOS gets the HTTP script (loop guard)', facts: { mac, arch: 0, ipxe: true }, ctx: full, kind: 'ipxe-script', url: `http://198.18.0.2:8080/boot.ipxe?mac=${mac}` },
  { name: 'iPXE on UEFI gets the HTTP script (loop guard)', facts: { mac, arch: 7, ipxe: true }, ctx: full, kind: 'ipxe-script' },
  { name: 'gPXE gets the HTTP script', facts: { mac, arch: 0, ipxe: true, gpxe: true }, ctx: full, kind: 'ipxe-script' },
  { name: 'iPXE in proxy mode gets the HTTP script', facts: { mac, arch: 0, ipxe: true }, ctx: proxy, kind: 'ipxe-script' },
  { name: 'UEFI HTTP boot x64 gets a URL', facts: { mac, arch: 16, ipxe: false }, ctx: full, kind: 'uefi-http', url: 'http://198.18.0.2:8080/snponly.efi' },
  { name: 'UEFI HTTP boot ARM64 with no binary: no boot', facts: { mac, arch: 19, ipxe: false }, ctx: full, kind: 'no-boot' },
  { name: 'OS client in full mode: address only', facts: { mac, arch: null, ipxe: false, os: true }, ctx: full, kind: 'no-boot' },
  { name: 'OS client in proxy mode: silence', facts: { mac, arch: null, ipxe: false, os: true }, ctx: proxy, kind: 'ignore' },
];

for (const row of rows) {
  test(`decide: ${row.name}`, () => {
    const plan = decide(syntheticFacts(row.facts), row.ctx);
    assert.equal(plan.kind, row.kind, plan.reason);
    assert.ok(plan.reason.length > 10, 'every plan says why');
    if (row.file !== undefined) assert.equal(plan.kind === 'chainload-tftp' ? plan.file : undefined, row.file);
    if (row.url !== undefined) assert.equal('url' in plan ? plan.url : undefined, row.url);
  });
}

test('decide: the profile comes from the machines entry, else the default', () => {
  const own = decide(syntheticFacts({ mac: '52:54:00:00:00:02', arch: 0, ipxe: true }), full);
  const other = decide(syntheticFacts({ mac, arch: 0, ipxe: true }), full);
  assert.equal(own.kind === 'ipxe-script' ? own.profile : '', 'web');
  assert.equal(other.kind === 'ipxe-script' ? other.profile : '', 'default');
});

test('decide: port 80 is left out of URLs', () => {
  const plan = decide(syntheticFacts({ mac, arch: 0, ipxe: true }), { ...full, httpPort: 80 });
  assert.equal(plan.kind === 'ipxe-script' ? plan.url : '', `http://198.18.0.2/boot.ipxe?mac=${mac}`);
});

test('decide: iPXE that lacks HTTP is not sent in a loop', () => {
  const facts = syntheticFacts({ mac, arch: 0, ipxe: true });
  const plan = decide({ ...facts, ipxe: { ...facts.ipxe!, http: false, codes: [24] } }, full);
  assert.equal(plan.kind, 'no-boot');
});

test('BIOS PXE whose profile (by the config) is a PXELINUX menu gets pxelinux.0 with options 209/210', () => {
  const withMenu = configSchema.parse({
    interfaces: [{ name: 'bf0', mode: 'full' }],
    profiles: { default: { kernel: 'vmlinuz' }, menu: { kind: 'pxelinux', entries: [{ label: 'a', kernel: 'vmlinuz' }] } },
    machines: [{ mac: '52:54:00:00:00:0b', profile: 'menu' }],
  });
  const plan = decide(syntheticFacts({ mac: '52:54:00:00:00:0b', arch: 0, ipxe: false }), { ...full, config: withMenu });
  assert.deepEqual(plan.kind === 'chainload-tftp' ? [plan.file, plan.pxelinux] : plan, [
    'pxelinux.0',
    { configFile: 'pxelinux.cfg/01-52-54-00-00-00-0b', pathPrefix: 'tftp://198.18.0.2/' },
  ]);
  // Other machines, and iPXE on the same machine (its script chains pxelinux.0 itself), are unchanged.
  const other = decide(syntheticFacts({ mac, arch: 0, ipxe: false }), { ...full, config: withMenu });
  assert.ok(other.kind === 'chainload-tftp' && other.file === 'undionly.kpxe' && other.pxelinux === undefined);
  assert.equal(decide(syntheticFacts({ mac: '52:54:00:00:00:0b', arch: 0, ipxe: true }), { ...full, config: withMenu }).kind, 'ipxe-script');
});
