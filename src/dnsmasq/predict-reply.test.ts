/**
 * The engine without a network: the captured dnsmasq replies in test/vectors/dhcp are
 * predicted from the config they were captured with, and the selection rules are checked
 * one by one. (differential.net.test.ts does the same against a live dnsmasq, for a corpus.)
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { decodeDhcp } from '../wire/dhcp/codec.js';
import type { DhcpPacket } from '../wire/dhcp/packet.js';
import { hwaddrHash } from './address.js';
import { classify } from './classify.js';
import { loadDnsmasqArgs, parseDnsmasqConfText } from './load.js';
import { buildModel, type DnsmasqModel } from './model.js';
import { diffViews, viewOfPrediction, viewOfReply } from './oracle/boot-view.js';
import { VECTOR_DIR } from './oracle/replay-requests.js';
import { LeaseBook, predictReply } from './predict-reply.js';
import { filterOptions, findBoot } from './select-options.js';

const iface = { name: 'bf0', address: '198.18.0.2', prefixLength: 24 };

function vector(name: string): Buffer {
  return readFileSync(`${VECTOR_DIR}${name}.bin`);
}

function packet(name: string): DhcpPacket {
  const r = decodeDhcp(vector(name));
  assert.ok(r.ok);
  return r.packet;
}

function model(text: string): DnsmasqModel {
  const conf = parseDnsmasqConfText(text, 'test.conf');
  assert.deepEqual(conf.problems, []);
  return buildModel(conf.directives);
}

test('the captured dnsmasq replies, predicted from the capture command line', () => {
  // test/vectors/dhcp/README.md: the capture server's configuration.
  const conf = loadDnsmasqArgs(
    [
      '--dhcp-range=198.18.0.100,198.18.0.200,255.255.255.0,1h', '--no-ping', '--dhcp-match=set:ipxe,175',
      '--dhcp-match=set:efi64,option:client-arch,7', '--dhcp-boot=tag:!ipxe,tag:efi64,ipxe.efi,,198.18.0.2',
      '--dhcp-boot=tag:!ipxe,tag:!efi64,undionly.kpxe,,198.18.0.2', '--dhcp-boot=tag:ipxe,boot.ipxe,,198.18.0.2', '--enable-tftp',
    ],
    { defaultConfFile: null },
  );
  assert.deepEqual(conf.problems, []);
  const m = buildModel(conf.directives);
  const leases = new LeaseBook();
  for (const client of ['bios-ipxe', 'ovmf-pxe', 'ipxe-efi', 'udhcpc']) {
    for (const [req, rep] of [['discover', 'offer'], ['request', 'ack']] as const) {
      const predicted = viewOfPrediction(predictReply(m, packet(`${client}-${req}`), iface, leases));
      assert.deepEqual(diffViews(viewOfReply(vector(`dnsmasq-${rep}-${client}`)), predicted), [], `${client} ${req}`);
    }
  }
});

test("dnsmasq's address choice: the MAC's SDBM hash modulo the range size", () => {
  // 52:54:00:bf:00:01 was offered 198.18.0.169 from .100–.200 (101 addresses) by dnsmasq.
  assert.equal(100 + (hwaddrHash(Buffer.from('525400bf0001', 'hex')) % 101), 169);
});

describe('tags', () => {
  const m = model(
    [
      'dhcp-range=set:lab,198.18.0.100,198.18.0.200',
      'dhcp-mac=set:qemu,52:54:00:*:*:*',
      'dhcp-match=set:ipxe,175',
      'dhcp-match=set:bios,option:client-arch,0',
      'dhcp-match=set:http,175,19',
      'dhcp-userclass=set:ipxe-uc,iPXE',
      'dhcp-vendorclass=set:pxe,PXEClient:Arch:00000',
      'dhcp-host=52:54:00:bf:00:01,set:vm1',
      'tag-if=set:bios-ipxe,tag:bios,tag:ipxe',
      'tag-if=set:second,tag:bios-ipxe',
    ].join('\n'),
  );
  test('every source of tags, each with the line that set it', () => {
    const c = classify(m, packet('bios-ipxe-discover'), iface);
    assert.deepEqual([...c.tags].sort(), ['bf0', 'bios', 'bios-ipxe', 'http', 'ipxe', 'ipxe-uc', 'known', 'pxe', 'qemu', 'second', 'vm1']);
    assert.equal(c.reasons.find((r) => r.tag === 'vm1')?.at?.line, 8);
    assert.equal(c.reasons.find((r) => r.tag === 'second')?.why, 'tag-if');
  });
  test('an OS client gets only what fits it', () => {
    const c = classify(m, packet('udhcpc-discover'), iface);
    assert.deepEqual([...c.tags].sort(), ['bf0', 'qemu']);
  });
});

describe('which dhcp-boot and dhcp-option apply', () => {
  test('B1/B2: the last matching tagged line, else the last untagged one', () => {
    const m = model('dhcp-boot=u1\ndhcp-boot=tag:a,t1\ndhcp-boot=tag:b,t2\ndhcp-boot=tag:!c,t3\ndhcp-boot=u2');
    assert.equal(findBoot(m, new Set(['a', 'b', 'c']))?.file, 't2');
    assert.equal(findBoot(m, new Set(['a', 'c']))?.file, 't1');
    assert.equal(findBoot(m, new Set(['a']))?.file, 't3');
    assert.equal(findBoot(m, new Set(['c']))?.file, 'u2');
  });
  test('O1–O4: tagged beats untagged, the range tag is second class, last line wins', () => {
    const m = model('dhcp-option=17,untagged\ndhcp-option=tag:lab,17,range\ndhcp-option=tag:host,17,host\ndhcp-option=tag:host,17,host-later\ndhcp-option=18,only-untagged');
    const pick = (base: string[], rangeTag: string | null): string[] =>
      [...filterOptions(m, new Set(base), rangeTag).eligible].map((o) => o.value.bytes.toString()).sort();
    assert.deepEqual(pick([], null), ['only-untagged', 'untagged']);
    assert.deepEqual(pick([], 'lab'), ['only-untagged', 'range']);
    assert.deepEqual(pick(['host'], 'lab'), ['host-later', 'only-untagged']);
  });
  test('O2: a negated tag that the range tag makes false drops the line', () => {
    const m = model('dhcp-option=17,untagged\ndhcp-option=tag:!lab,17,not-lab');
    assert.deepEqual([...filterOptions(m, new Set(), null).eligible].map((o) => o.value.bytes.toString()), ['not-lab']);
    assert.deepEqual([...filterOptions(m, new Set(), 'lab').eligible].map((o) => o.value.bytes.toString()), ['untagged']);
  });
});

describe('replies', () => {
  test('dhcp-ignore=tag:!known: unknown clients get nothing', () => {
    const m = model('dhcp-range=198.18.0.100,198.18.0.200\ndhcp-host=52:54:00:bf:00:01,198.18.0.77\ndhcp-ignore=tag:!known');
    const leases = new LeaseBook();
    const known = predictReply(m, packet('bios-ipxe-discover'), iface, leases);
    assert.ok(known.kind === 'reply');
    assert.equal(known.yiaddr, '198.18.0.77');
    assert.equal(predictReply(m, packet('udhcpc-discover'), iface, leases).kind, 'none');
  });
  test('a proxy range answers PXE clients only, with the menu in option 43', () => {
    const m = model('dhcp-range=198.18.0.0,proxy\npxe-service=x86PC,"Network boot",undionly\ndhcp-boot=undionly.kpxe');
    const r = predictReply(m, packet('bios-ipxe-discover'), iface, new LeaseBook());
    assert.ok(r.kind === 'reply' && r.mode === 'proxy');
    assert.equal(r.yiaddr, '0.0.0.0');
    assert.equal(r.parts.file, 'undionly.kpxe');
    assert.ok(r.parts.options.some((o) => o.code === 43));
    assert.equal(predictReply(m, packet('udhcpc-discover'), iface, new LeaseBook()).kind, 'none');
  });
  test('not served: except-interface, or no range on the subnet', () => {
    assert.equal(predictReply(model('dhcp-range=198.18.0.100,198.18.0.200\nexcept-interface=bf0'), packet('udhcpc-discover'), iface, new LeaseBook()).kind, 'none');
    assert.equal(predictReply(model('dhcp-range=10.0.0.10,10.0.0.20'), packet('udhcpc-discover'), iface, new LeaseBook()).kind, 'none');
  });
});
