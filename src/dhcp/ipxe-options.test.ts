/** iPXE 175.176 (no-pxedhcp) in full-mode replies: to iPXE only, and not where a proxy answers. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeDhcp, encodeDhcp } from '../wire/dhcp/codec.js';
import { decodeSubOptions } from '../wire/dhcp/options.js';
import { MessageType, type DhcpPacket } from '../wire/dhcp/packet.js';
import { SqliteLeaseStore } from '../store/sqlite-lease-store.js';
import { FullModeResponder, type ReceivingInterface } from './full-mode.js';
import { addIpxeNoPxeDhcp, IPXE_NO_PXEDHCP, OPTION_IPXE_ENCAP } from './ipxe-options.js';
import { vector } from './proxy-vectors.js';
import { baseReply } from './reply-builder.js';
import { testConfig } from './test-packets.js';

const IFACE: ReceivingInterface = { name: 'eth0', address: '198.18.0.2', netmask: '255.255.255.0' };

async function offerTo(name: string, iface: ReceivingInterface): Promise<DhcpPacket> {
  const store = SqliteLeaseStore.open(':memory:');
  try {
    const r = new FullModeResponder({ config: testConfig(), store, events: { emit() {} }, localAddresses: [IFACE.address] });
    const o = await r.handle(vector(name), MessageType.Discover, iface);
    assert.ok(o.kind === 'reply', JSON.stringify(o));
    const back = decodeDhcp(encodeDhcp(o.reply.packet, o.reply.encode));
    assert.ok(back.ok);
    return back.packet;
  } finally {
    await store.close();
  }
}

function noPxeDhcp(p: DhcpPacket): number | null {
  const encap = p.options.get(OPTION_IPXE_ENCAP);
  const v = encap === undefined ? undefined : decodeSubOptions(encap)?.get(IPXE_NO_PXEDHCP);
  return v === undefined ? null : (v[0] ?? null);
}

test('full mode: iPXE clients (captured BIOS ROM and ipxe.efi) are told 175.176 = 1', async () => {
  assert.equal(noPxeDhcp(await offerTo('bios-ipxe-discover', IFACE)), 1);
  assert.equal(noPxeDhcp(await offerTo('ipxe-efi-discover', IFACE)), 1);
});

test('full mode: not on a segment with a proxy, and never to firmware PXE or OS clients', async () => {
  assert.equal(noPxeDhcp(await offerTo('bios-ipxe-discover', { ...IFACE, proxyPresent: true })), null);
  assert.equal(noPxeDhcp(await offerTo('ovmf-pxe-discover', IFACE)), null);
  assert.equal(noPxeDhcp(await offerTo('udhcpc-discover', IFACE)), null);
});

test('addIpxeNoPxeDhcp keeps other 175 sub-options', () => {
  const reply = baseReply(vector('bios-ipxe-discover'), MessageType.Offer, '198.18.0.2');
  reply.options.set(OPTION_IPXE_ENCAP, Buffer.from([8, 1, 1]));
  addIpxeNoPxeDhcp(reply);
  const subs = decodeSubOptions(reply.options.get(OPTION_IPXE_ENCAP) ?? Buffer.alloc(0));
  assert.deepEqual([...(subs?.entries() ?? [])].map(([k, v]) => [k, [...v]]), [[8, [1]], [176, [1]]]);
});
