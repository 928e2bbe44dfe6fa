import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configSchema } from '../config/schema.js';
import { decodePxeVendorOptions, encodePxeVendorOptions } from '../wire/dhcp/pxe-options.js';
import { decide, type DecideContext } from './decide.js';
import { planForMenuSelection, pxeMenuFor, pxeMenuVendorOptions, PXE_TYPE_LOCAL, PXE_TYPE_VENDOR_BASE } from './pxe-menu.js';
import { syntheticFacts } from './synthetic-facts.js';

const config = configSchema.parse({
  interfaces: [{ name: 'bf0', mode: 'proxy' }],
  boot: {
    menu: {
      prompt: { text: 'F8: boot menu', timeout: 8 },
      items: [
        { label: 'Local disk', csa: 'x86PC', plan: 'local' },
        { label: 'Install (BIOS)', csa: 'x86PC', plan: 'undionly.kpxe' },
        { label: 'Install (UEFI)', csa: 'X86-64_EFI', plan: 'ipxe.efi' },
        { label: 'Arch 9 only', csa: 'BC_EFI', plan: 'snponly.efi' },
      ],
    },
  },
});
const mac = '52:54:00:00:00:01';
const proxy: DecideContext = { mode: 'proxy', serverAddress: '198.18.0.2', httpPort: 8080, config };

test('menu: each arch sees its own items, in config order, typed 0x8000 + index (local is type 0)', () => {
  const bios = pxeMenuFor(0, config);
  assert.deepEqual(bios?.entries, [
    { type: PXE_TYPE_LOCAL, label: 'Local disk', target: { kind: 'local' } },
    { type: PXE_TYPE_VENDOR_BASE + 1, label: 'Install (BIOS)', target: { kind: 'file', file: 'undionly.kpxe' } },
  ]);
  assert.deepEqual(bios?.prompt, { text: 'F8: boot menu', timeout: 8 });
  assert.deepEqual(pxeMenuFor(null, config)?.entries, bios?.entries, 'no option 93 is BIOS');
  assert.deepEqual(pxeMenuFor(7, config)?.entries.map((e) => e.label), ['Install (UEFI)'], 'X86-64_EFI matches EDK2 arch 7');
  assert.deepEqual(pxeMenuFor(9, config)?.entries.map((e) => e.label), ['Install (UEFI)', 'Arch 9 only'], 'BC_EFI is arch 9, as in dnsmasq');
  assert.equal(pxeMenuFor(11, config), null, 'no item for ARM64: no menu');
  assert.equal(pxeMenuFor(0, configSchema.parse({ interfaces: [{ name: 'x' }] })), null);
});

test('menu: without a configured prompt, one item boots at once and several wait (as dnsmasq)', () => {
  const items = [
    { label: 'A', csa: 'x86PC', plan: 'a.0' },
    { label: 'B', csa: 'x86PC', plan: 'b.0' },
    { label: 'C', csa: 'IA32_EFI', plan: 'c.efi' },
  ];
  const c = configSchema.parse({ interfaces: [{ name: 'x', mode: 'proxy' }], boot: { menu: { items } } });
  assert.deepEqual(pxeMenuFor(0, c)?.prompt, { text: 'PXE', timeout: 255 });
  assert.deepEqual(pxeMenuFor(6, c)?.prompt, { text: 'PXE', timeout: 0 });
});

test('menu → option 43 → decode: the same items, prompt, boot servers and discovery control', () => {
  const menu = pxeMenuFor(0, config);
  assert.ok(menu);
  const options = pxeMenuVendorOptions(menu, '198.18.0.2');
  const wire = encodePxeVendorOptions(options);
  assert.deepEqual(decodePxeVendorOptions(wire), options);
  assert.deepEqual(options, {
    discoveryControl: 3,
    menu: [
      { type: 0, description: 'Local disk' },
      { type: 0x8001, description: 'Install (BIOS)' },
    ],
    prompt: { text: 'F8: boot menu', timeout: 8 },
    bootServers: [{ type: 0x8001, ips: ['198.18.0.2'] }],
  });
  // 43.6 = 3, 43.8 = type 0x8001 with one address, 43.9, 43.10, then End.
  assert.equal(wire.subarray(0, 3).toString('hex'), '060103');
  assert.equal(wire[wire.length - 1], 255);
});

test('a menu of local boot only lists no boot servers', () => {
  const c = configSchema.parse({ interfaces: [{ name: 'x', mode: 'proxy' }], boot: { menu: { items: [{ label: 'Disk', csa: 'x86PC', plan: 'local' }] } } });
  const menu = pxeMenuFor(0, c);
  assert.ok(menu);
  assert.equal(pxeMenuVendorOptions(menu, '198.18.0.2').bootServers, undefined);
});

test('menu selection → plan: the item of that type for the client arch, else ignore', () => {
  const biosPxe = syntheticFacts({ mac, arch: 0, ipxe: false });
  const edk2 = syntheticFacts({ mac, arch: 7, ipxe: false });
  const arch9 = syntheticFacts({ mac, arch: 9, ipxe: false });
  const chosen = planForMenuSelection(biosPxe, PXE_TYPE_VENDOR_BASE + 1, config);
  assert.equal(chosen.kind, 'chainload-tftp');
  assert.equal(chosen.kind === 'chainload-tftp' ? chosen.file : '', 'undionly.kpxe');
  assert.match(chosen.reason, /Install \(BIOS\)/);
  const uefi = planForMenuSelection(arch9, PXE_TYPE_VENDOR_BASE + 3, config);
  assert.equal(uefi.kind === 'chainload-tftp' ? uefi.file : '', 'snponly.efi');
  assert.equal(planForMenuSelection(edk2, PXE_TYPE_VENDOR_BASE + 3, config).kind, 'ignore', 'a BC_EFI (arch 9) item asked by arch 7');
  for (const [facts, type] of [
    [edk2, PXE_TYPE_VENDOR_BASE + 1], // a BIOS item asked by UEFI
    [biosPxe, PXE_TYPE_VENDOR_BASE + 0], // the local item under its vendor number
    [biosPxe, PXE_TYPE_LOCAL],
    [biosPxe, PXE_TYPE_VENDOR_BASE + 40],
    [biosPxe, 1],
    [syntheticFacts({ mac, arch: 0, ipxe: true }), PXE_TYPE_VENDOR_BASE + 1], // iPXE sees no menus
    [syntheticFacts({ mac, arch: null, ipxe: false, os: true }), PXE_TYPE_VENDOR_BASE + 1],
  ] as const) {
    assert.equal(planForMenuSelection(facts, type, config).kind, 'ignore', `${facts.firmware} type ${type}`);
  }
});

test('decide: PXE firmware in proxy mode with items for its arch gets the menu', () => {
  const plan = decide(syntheticFacts({ mac, arch: 9, ipxe: false }), proxy);
  assert.equal(plan.kind, 'pxe-menu');
  assert.deepEqual(plan.kind === 'pxe-menu' ? plan.menu.entries.map((e) => e.type) : [], [0x8002, 0x8003]);
  const edk2 = decide(syntheticFacts({ mac, arch: 7, ipxe: false }), proxy);
  assert.deepEqual(edk2.kind === 'pxe-menu' ? edk2.menu.entries.map((e) => e.type) : [], [0x8002]);
  assert.equal(decide(syntheticFacts({ mac, arch: 0, ipxe: false }), proxy).kind, 'pxe-menu');
});

test('decide: no menu for iPXE, for an arch without items, or in full mode', () => {
  assert.equal(decide(syntheticFacts({ mac, arch: 0, ipxe: true }), proxy).kind, 'ipxe-script');
  const noItems = decide(syntheticFacts({ mac, arch: 6, ipxe: false }), proxy);
  assert.equal(noItems.kind, 'ignore', 'arch 6 has neither items nor a binary configured');
  const full = decide(syntheticFacts({ mac, arch: 7, ipxe: false }), { ...proxy, mode: 'full' });
  assert.equal(full.kind === 'chainload-tftp' ? full.file : full.kind, 'ipxe.efi');
});
