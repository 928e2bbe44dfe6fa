/**
 * Whatever a client sends, the proxy responder never hands out an address, never NAKs, never
 * sends lease or network options, and never answers a client that is not PXE, HTTP boot or
 * iPXE. Requests are the captured vectors with fields and options replaced at random.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { configSchema } from '../config/schema.js';
import { encodeDhcp, decodeDhcp } from '../wire/dhcp/codec.js';
import { getMessageType } from '../wire/dhcp/options.js';
import { MessageType } from '../wire/dhcp/packet.js';
import { factsFromPacket } from '../boot/facts-from-packet.js';
import { ProxyModeResponder, proxySafetyProblem } from './proxy-mode.js';
import { vector } from './proxy-vectors.js';
import { screenRequest } from './screen.js';

const plain = configSchema.parse({ interfaces: [{ name: 'bf0', mode: 'proxy' }] });
const withMenu = configSchema.parse({
  interfaces: [{ name: 'bf0', mode: 'proxy' }],
  boot: {
    uefiIa32: 'ipxe32.efi',
    menu: {
      items: [
        { label: 'Local', csa: 'X86-64_EFI', plan: 'local' },
        { label: 'Install', csa: 'X86-64_EFI', plan: 'ipxe.efi' },
        { label: 'BIOS', csa: 'x86PC', plan: 'undionly.kpxe' },
      ],
    },
  },
});
const responders = [plain, withMenu].map((config) => new ProxyModeResponder({ config, events: { emit() {} } }));
const bases = ['bios-ipxe-discover', 'bios-ipxe-request', 'ovmf-pxe-discover', 'ovmf-pxe-request', 'ipxe-efi-discover', 'udhcpc-discover', 'udhcpc-request', 'dhcp-proxy/ovmf-pxe-proxy-request', 'dhcp-proxy/ovmf-pxe-bootitem-request'].map(vector);

const ip = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((t) => t.join('.'));
const maybeIp = fc.oneof(fc.constant('0.0.0.0'), ip);
const vendorClass = fc.oneof(
  fc.constant<string | null>(null),
  // Weighted towards netboot clients, so that most runs produce a reply to check.
  { weight: 4, arbitrary: fc.constantFrom('PXEClient:Arch:00000:UNDI:002001', 'PXEClient:Arch:00007:UNDI:003000', 'PXEClient:Arch:00006:UNDI:003000', 'HTTPClient:Arch:00016:UNDI:003001', 'udhcp 1.35.0', 'PXEClient', 'MSFT 5.0') },
  fc.string({ maxLength: 40 }),
);
const optionBytes = fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a));

const request = fc.record({
  base: fc.nat(bases.length - 1),
  type: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(MessageType.Discover, MessageType.Request) }, fc.integer({ min: 1, max: 8 })),
  ciaddr: maybeIp,
  giaddr: maybeIp,
  yiaddr: maybeIp,
  vendorClass,
  arch: fc.option(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(0, 6, 7, 9, 16) }, fc.integer({ min: 0, max: 20 }))),
  ipxe: fc.boolean(),
  requested: fc.option(ip),
  serverId: fc.option(ip),
  vendorSpecific: fc.option(fc.oneof(optionBytes, fc.tuple(fc.nat(0xffff), fc.nat(0xffff)).map(([t, l]) => Buffer.from([71, 4, t >> 8, t & 255, l >> 8, l & 255, 255])))),
  via: fc.constantFrom('dhcp' as const, 'pxe' as const),
  fromPort: fc.constantFrom(68, 4011, 12345),
  menu: fc.boolean(),
});

test('proxy replies never carry an address, a NAK or lease options, and only netboot clients get one', () => {
  fc.assert(
    fc.property(request, (r) => {
      const req = structuredClone(bases[r.base]!);
      req.chaddr = Buffer.from(req.chaddr);
      req.options = new Map([...req.options].map(([k, v]) => [k, Buffer.from(v)]));
      req.options.set(53, Buffer.of(r.type));
      req.ciaddr = r.ciaddr;
      req.giaddr = r.giaddr;
      req.yiaddr = r.yiaddr;
      if (r.vendorClass === null) req.options.delete(60);
      else req.options.set(60, Buffer.from(r.vendorClass));
      if (r.arch === null) req.options.delete(93);
      else req.options.set(93, Buffer.from([r.arch >> 8, r.arch & 255]));
      if (!r.ipxe) {
        req.options.delete(175);
        req.options.delete(77);
      }
      if (r.requested !== null) req.options.set(50, Buffer.from(r.requested.split('.').map(Number)));
      if (r.serverId !== null) req.options.set(54, Buffer.from(r.serverId.split('.').map(Number)));
      if (r.vendorSpecific !== null) req.options.set(43, r.vendorSpecific);
      const screened = screenRequest(req);
      if (!screened.ok) return;
      const responder = responders[r.menu ? 1 : 0]!;
      const out = responder.handle(req, screened.type, { iface: { name: 'bf0', address: '198.18.0.2', netmask: '255.255.255.0' }, via: r.via, from: { address: r.ciaddr, port: r.fromPort } });
      if (out.kind !== 'reply') return;
      const back = decodeDhcp(encodeDhcp(out.reply.packet, out.reply.encode));
      assert.ok(back.ok);
      const p = back.packet;
      assert.equal(p.yiaddr, '0.0.0.0');
      assert.equal(proxySafetyProblem(p), null);
      assert.ok([MessageType.Offer, MessageType.Ack].includes(getMessageType(p) ?? MessageType.Nak));
      assert.notEqual(factsFromPacket(req).firmware, 'os', 'an OS client got a reply');
      if (r.via === 'dhcp' && screened.type === MessageType.Request) {
        assert.ok(req.options.has(43), 'a REQUEST on port 67 is answered only as a boot server request (43.71)');
      }
    }),
    { numRuns: 2000 },
  );
});
