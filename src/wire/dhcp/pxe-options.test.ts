import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodePxeVendorOptions, encodePxeVendorOptions, parsePxeBootServers, PXE_DISCOVERY_ONLY_LISTED, PXE_DISCOVERY_USE_BOOTFILE,
  type PxeVendorOptions,
} from './pxe-options.js';

test('encodes sub-options 6, 8, 9, 10, 71 in order with End, as the PXE spec lays them out', () => {
  const b = encodePxeVendorOptions({
    discoveryControl: PXE_DISCOVERY_USE_BOOTFILE,
    bootServers: [{ type: 0x8000, ips: ['198.18.0.2'] }],
    menu: [{ type: 0x8000, description: 'boot' }],
    prompt: { timeout: 0, text: 'PXE' },
    bootItem: { type: 0x8000, layer: 0 },
  });
  assert.deepEqual(b, Buffer.of(
    6, 1, 8,
    8, 7, 0x80, 0x00, 1, 198, 18, 0, 2,
    9, 7, 0x80, 0x00, 4, 0x62, 0x6f, 0x6f, 0x74,
    10, 4, 0, 0x50, 0x58, 0x45,
    71, 4, 0x80, 0x00, 0, 0,
    255,
  ));
});

test('empty input gives just End', () => {
  assert.deepEqual(encodePxeVendorOptions({}), Buffer.of(255));
  assert.deepEqual(decodePxeVendorOptions(Buffer.of(255)), {});
});

test('round trip through decodePxeVendorOptions', () => {
  const o: PxeVendorOptions = {
    discoveryControl: PXE_DISCOVERY_ONLY_LISTED | PXE_DISCOVERY_USE_BOOTFILE,
    bootServers: [{ type: 0, ips: [] }, { type: 0x8001, ips: ['198.18.0.2', '198.18.0.3'] }],
    menu: [{ type: 0x8000, description: 'Install Debian' }, { type: 0, description: 'Local disk' }],
    prompt: { timeout: 255, text: 'Press F8' },
    bootItem: { type: 0x8001, layer: 3 },
  };
  assert.deepEqual(decodePxeVendorOptions(encodePxeVendorOptions(o)), o);
});

test('refuses values a PXE ROM could not read', () => {
  assert.throws(() => encodePxeVendorOptions({ discoveryControl: 256 }), RangeError);
  assert.throws(() => encodePxeVendorOptions({ bootItem: { type: 70000, layer: 0 } }), RangeError);
  assert.throws(() => encodePxeVendorOptions({ bootServers: [{ type: 1, ips: ['x'] }] }), RangeError);
  assert.throws(() => encodePxeVendorOptions({ menu: [{ type: 1, description: 'd'.repeat(256) }] }), RangeError);
  assert.throws(() => encodePxeVendorOptions({ menu: Array.from({ length: 30 }, () => ({ type: 1, description: 'd'.repeat(10) })) }), RangeError);
});

test('malformed content decodes to null', () => {
  assert.equal(decodePxeVendorOptions(Buffer.of(6, 2, 1)), null, 'TLV overrun');
  assert.equal(decodePxeVendorOptions(Buffer.of(6, 2, 1, 1)), null, 'discovery control not one byte');
  assert.equal(decodePxeVendorOptions(Buffer.of(8, 4, 0, 1, 1, 198)), null, 'boot server list short of its addresses');
  assert.equal(decodePxeVendorOptions(Buffer.of(9, 3, 0, 1, 5)), null, 'menu description overrun');
  assert.equal(decodePxeVendorOptions(Buffer.of(71, 3, 0, 1, 5)), null, 'boot item not 4 bytes');
  assert.equal(decodePxeVendorOptions(Buffer.of(10, 0)), null, 'prompt without timeout');
  assert.equal(parsePxeBootServers(Buffer.of(0)), null);
});

test('unknown sub-options are skipped', () => {
  assert.deepEqual(decodePxeVendorOptions(Buffer.of(1, 4, 224, 1, 1, 1, 6, 1, 3, 255)), { discoveryControl: 3 });
});
