import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { decodeDhcp } from './codec.js';
import { DHCP_DECODE_ERRORS } from './errors.js';
import { formatPacket } from './format.js';
import {
  clientArchName, DHCP_OPTIONS, IPXE_OPTIONS, optionName, PXE_VENDOR_OPTIONS, RELAY_AGENT_OPTIONS, subOptionName,
} from './option-registry.js';
import { encodeSubOptions, setIp, setMessageType, setString } from './options.js';
import { encodePxeVendorOptions } from './pxe-options.js';
import { BootOp, MessageType, type DhcpPacket } from './packet.js';
import { basePacket, ipxeDiscover } from './fixtures.js';

function decoded(b: Uint8Array): DhcpPacket {
  const r = decodeDhcp(b);
  assert.ok(r.ok);
  return r.packet;
}

test('formats an iPXE DISCOVER: header, typed options, 175 sub-options by name', () => {
  assert.equal(formatPacket(decoded(ipxeDiscover())), [
    'op: BOOTREQUEST (1)',
    'htype: 1 (ethernet)',
    'hlen: 6',
    'hops: 0',
    'xid: 0x11223344',
    'secs: 0',
    'flags: 0x0000',
    'ciaddr: 0.0.0.0',
    'yiaddr: 0.0.0.0',
    'siaddr: 0.0.0.0',
    'giaddr: 0.0.0.0',
    'chaddr: 52:54:00:12:34:56',
    'sname: ""',
    'file: ""',
    'option 53 DHCP Message Type: Discover (1)',
    'option 57 Maximum DHCP Message Size: 1472',
    'option 93 Client System Architecture Type: 0 (x86 BIOS)',
    'option 94 Client Network Interface Identifier: UNDI 2.1',
    'option 60 Vendor class identifier: "PXEClient:Arch:00000:UNDI:002001"',
    'option 77 User Class: "iPXE"',
    'option 55 Parameter Request List: 1 Subnet Mask, 3 Router, 6 Domain Name Server, 7 Log Server, 12 Host Name, ' +
      '15 Domain Name, 17 Root Path, 26 Interface MTU, 43 Vendor Specific Information, 60 Vendor class identifier, ' +
      '66 TFTP server name, 67 Bootfile name, 119 Domain Search, 128 unknown, 129 unknown, 130 unknown, 131 unknown, ' +
      '132 unknown, 133 unknown, 134 unknown, 135 unknown, 175 Etherboot (iPXE) Encapsulated Options, 203 unknown',
    'option 175 Etherboot (iPXE) Encapsulated Options: 6 sub-options',
    '  175.177 bus-id: 011af41000',
    '  175.235 version: 1.0.0',
    '  175.23 dns: 1',
    '  175.21 tftp: 1',
    '  175.19 http: 1',
    '  175.24 bzimage: 1',
    'option 61 Client-identifier: 1 (ethernet) 52:54:00:12:34:56',
    'option 97 Client Machine Identifier: 00000000-0000-0000-0000-000000000000',
    '',
  ].join('\n'));
});

test('formats a proxy OFFER: PXE option 43 by name when the vendor class is PXEClient, relay info, routes', () => {
  const o = new Map<number, Buffer>();
  setMessageType(o, MessageType.Offer);
  setIp(o, 54, '198.18.0.2');
  setString(o, 60, 'PXEClient');
  o.set(43, encodePxeVendorOptions({ discoveryControl: 8, bootServers: [{ type: 0x8000, ips: ['198.18.0.2'] }], menu: [{ type: 0x8000, description: 'bootfleet' }], prompt: { timeout: 0, text: 'PXE' }, bootItem: { type: 0x8000, layer: 0 } }));
  o.set(175, encodeSubOptions(new Map([[176, Buffer.of(1)]]), { end: true }));
  o.set(82, Buffer.of(1, 3, 0x65, 0x74, 0x68, 2, 2, 0xab, 0xcd));
  o.set(119, Buffer.from([7, 101, 120, 97, 109, 112, 108, 101, 3, 99, 111, 109, 0, 3, 108, 97, 98, 0xc0, 0]));
  o.set(121, Buffer.from([8, 10, 198, 18, 0, 1, 0, 198, 18, 0, 1]));
  o.set(57, Buffer.of(1));
  o.set(250, Buffer.of(1, 2));
  o.set(12, Buffer.from('a"b\0'));
  const text = formatPacket({ ...basePacket(o), file: 'undionly.kpxe', flags: 0x8000 });
  const lines = text.split('\n');
  for (const expected of [
    'op: BOOTREPLY (2)',
    'flags: 0x8000 (broadcast)',
    'file: "undionly.kpxe"',
    'option 43 Vendor Specific Information: 5 sub-options',
    '  43.6 PXE_DISCOVERY_CONTROL: 8',
    '  43.8 PXE_BOOT_SERVERS: type 32768: 198.18.0.2',
    '  43.9 PXE_BOOT_MENU: type 32768 "bootfleet"',
    '  43.10 PXE_MENU_PROMPT: timeout 0 "PXE"',
    '  43.71 PXE_BOOT_ITEM: type 32768 layer 0',
    '  175.176 no-pxedhcp: 1',
    '  82.1 Agent Circuit ID: 657468',
    'option 119 Domain Search: example.com., lab.example.com.',
    'option 121 Classless Static Route: 10.0.0.0/8 via 198.18.0.1, 0.0.0.0/0 via 198.18.0.1',
    'option 57 Maximum DHCP Message Size: 01 (malformed u16)',
    'option 250 unknown: 0102',
    'option 12 Host Name: "a\\"b\\u0000"',
  ]) assert.ok(lines.includes(expected), `missing line ${JSON.stringify(expected)} in:\n${text}`);
});

test('option 43 without a PXEClient vendor class stays hex; malformed encapsulation is marked', () => {
  const o = new Map<number, Buffer>([[43, Buffer.of(1, 1, 7)], [175, Buffer.of(1, 9)]]);
  const lines = formatPacket(basePacket(o)).split('\n');
  assert.ok(lines.includes('option 43 Vendor Specific Information: 010107'));
  assert.ok(lines.includes('option 175 Etherboot (iPXE) Encapsulated Options: 0109 (malformed sub-options)'));
});

test('chaddr bytes beyond hlen and unknown op are shown', () => {
  const chaddr = Buffer.alloc(16);
  chaddr.set([1, 2, 3, 4, 5, 6, 7]);
  const text = formatPacket({ ...basePacket(), op: 9 as BootOp, chaddr });
  assert.ok(text.includes('op: unknown (9)\n'));
  assert.ok(text.includes('chaddr: 01:02:03:04:05:06 (then 07000000000000000000)\n'));
});

test('registry: names per the protocols, unknown (N) otherwise', () => {
  assert.equal(optionName(53), 'DHCP Message Type');
  assert.equal(optionName(93), 'Client System Architecture Type');
  assert.equal(optionName(254), 'unknown (254)');
  assert.equal(subOptionName(175, 176), 'no-pxedhcp');
  assert.equal(subOptionName(175, 8), 'keep-san');
  assert.equal(subOptionName(43, 71), 'PXE_BOOT_ITEM');
  assert.equal(subOptionName(82, 1), 'Agent Circuit ID');
  assert.equal(subOptionName(175, 250), 'unknown (250)');
  assert.equal(subOptionName(12, 1), 'unknown (1)');
  assert.equal(clientArchName(7), 'x64 UEFI');
  assert.equal(clientArchName(16), 'x64 UEFI HTTP');
  assert.equal(clientArchName(999), 'unknown (999)');
  for (const code of [60, 61, 66, 67, 77, 82, 93, 94, 97, 119, 121, 150, 175, 208, 209, 210, 211, 43]) {
    assert.ok(DHCP_OPTIONS.has(code), `option ${code} registered`);
  }
  for (let code = 0; code <= 76; code++) if (code !== 62 && code !== 63) assert.ok(DHCP_OPTIONS.has(code), `RFC 2132 option ${code}`);
  for (const code of [1, 8, 9, 19, 20, 24, 36, 176, 177, 189]) assert.ok(IPXE_OPTIONS.has(code));
  for (const code of [6, 8, 9, 10, 71]) assert.ok(PXE_VENDOR_OPTIONS.has(code));
  assert.ok(RELAY_AGENT_OPTIONS.has(2));
});

test('every decode error code is documented in README.md, and nothing else is', () => {
  const readme = readFileSync(new URL('../../../src/wire/dhcp/README.md', import.meta.url), 'utf8');
  const documented = [...readme.matchAll(/^\| `(DHCP_[A-Z_]+)` \| (.+) \|$/gm)].map((m) => m[1]);
  assert.deepEqual(documented.sort(), Object.keys(DHCP_DECODE_ERRORS).sort());
});
