/**
 * The proxyDHCP responder against real client requests (test/vectors/dhcp, captured from QEMU
 * firmware and busybox udhcpc) and the port-4011 requests derived from them.
 */
import { describe, test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { configSchema, type BootfleetConfig } from '../config/schema.js';
import type { BootEvent } from '../events/boot-event.js';
import { decodeDhcp, encodeDhcp } from '../wire/dhcp/codec.js';
import { getIp, getMessageType, getString, setBytes, setIp, setString } from '../wire/dhcp/options.js';
import { FLAG_BROADCAST, MessageType, type DhcpPacket } from '../wire/dhcp/packet.js';
import { decodePxeVendorOptions, encodePxeVendorOptions, PXE_DISCOVERY_NO_BROADCAST, PXE_DISCOVERY_NO_MULTICAST, PXE_DISCOVERY_USE_BOOTFILE } from '../wire/dhcp/pxe-options.js';
import { PXE_TYPE_VENDOR_BASE } from '../boot/pxe-menu.js';
import type { DhcpReply, ReceivingInterface } from './full-mode.js';
import { ProxyModeResponder, proxySafetyProblem, type ProxyModeOutcome, type ProxyRequestContext } from './proxy-mode.js';
import { edk2BootItemRequest, edk2ProxyRequest, ipxeProxyRequest, leasedAddress, vector } from './proxy-vectors.js';
import { baseReply } from './reply-builder.js';
import { screenRequest } from './screen.js';

const SERVER = '198.18.0.2';
const IFACE: ReceivingInterface = { name: 'bf0', address: SERVER, netmask: '255.255.255.0' };
const ON_67: ProxyRequestContext = { iface: IFACE, via: 'dhcp', from: { address: '0.0.0.0', port: 68 } };
const BIOS_MAC = '52:54:00:bf:00:01';
const NEVER = [1, 3, 6, 12, 15, 28, 50, 51, 58, 59];

function config(extra: Record<string, unknown> = {}): BootfleetConfig {
  return configSchema.parse({
    interfaces: [{ name: 'bf0', mode: 'proxy' }],
    profiles: { default: { kernel: 'vmlinuz', initrd: ['initrd.img'] } },
    ...extra,
  });
}

const MENU = {
  prompt: { text: 'Press F8 for the boot menu', timeout: 5 },
  items: [
    { label: 'Boot from local disk', csa: 'X86-64_EFI', plan: 'local' },
    { label: 'Install with bootfleet', csa: 'X86-64_EFI', plan: 'ipxe.efi' },
    { label: 'BIOS install', csa: 'x86PC', plan: 'undionly.kpxe' },
    { label: 'Rescue', csa: 'X86-64_EFI', plan: 'rescue.efi' },
  ],
};

let events: BootEvent[];
beforeEach(() => {
  events = [];
});

function responder(c: BootfleetConfig = config()): ProxyModeResponder {
  return new ProxyModeResponder({ config: c, events: { emit: (e) => events.push(e) } });
}

function handle(r: ProxyModeResponder, req: DhcpPacket, ctx: ProxyRequestContext = ON_67): ProxyModeOutcome {
  const screened = screenRequest(req);
  assert.ok(screened.ok, 'the request passes the server screen');
  return r.handle(req, screened.type, ctx);
}

/** The reply, after a trip over the wire, with every proxy invariant checked. */
function replyOf(o: ProxyModeOutcome): DhcpReply {
  assert.equal(o.kind, 'reply', `expected a reply, got ${JSON.stringify(o)}`);
  assert.ok(o.kind === 'reply');
  const back = decodeDhcp(encodeDhcp(o.reply.packet, o.reply.encode));
  assert.ok(back.ok);
  const p = back.packet;
  assert.equal(p.yiaddr, '0.0.0.0', 'a proxy never hands out an address');
  for (const code of NEVER) assert.equal(p.options.has(code), false, `option ${code} must not be in a proxy reply`);
  assert.equal(getString(p.options, 60)?.startsWith('PXEClient') || getString(p.options, 60) === 'HTTPClient', true);
  assert.equal(getIp(p.options, 54), SERVER);
  assert.equal(proxySafetyProblem(p), null);
  return { ...o.reply, packet: p };
}

function vendor(p: DhcpPacket): ReturnType<typeof decodePxeVendorOptions> {
  const raw = p.options.get(43);
  assert.ok(raw, 'option 43 present');
  return decodePxeVendorOptions(raw);
}

describe('port 67: proxy OFFER to PXE and iPXE DISCOVERs', () => {
  test('BIOS iPXE ROM (captured): script URL, siaddr, 43.6 = 8, 97 echoed, broadcast to 68', () => {
    const req = vector('bios-ipxe-discover');
    const { packet, to } = replyOf(handle(responder(), req));
    assert.equal(getMessageType(packet), MessageType.Offer);
    assert.equal(packet.xid, req.xid);
    assert.equal(packet.siaddr, SERVER, 'iPXE ignores a proxy offer without siaddr (lab notes, pitfall 2)');
    assert.equal(packet.file, `http://${SERVER}:8080/boot.ipxe?mac=${BIOS_MAC}`);
    assert.equal(getString(packet.options, 60), 'PXEClient');
    assert.deepEqual(packet.options.get(97), req.options.get(97));
    assert.deepEqual(vendor(packet), { discoveryControl: PXE_DISCOVERY_USE_BOOTFILE });
    assert.deepEqual(to, { address: '255.255.255.255', port: 68 });
    assert.equal(events.find((e) => e.kind === 'dhcp.proxy-offer')?.mac, BIOS_MAC);
  });

  test('ipxe.efi (captured): script URL too, never overloaded', () => {
    const o = handle(responder(), vector('ipxe-efi-discover'));
    const { packet, encode } = replyOf(o);
    assert.match(packet.file, /^http:\/\/198\.18\.0\.2:8080\/boot\.ipxe\?mac=52:54:00:bf:00:02$/);
    assert.equal(packet.siaddr, SERVER);
    assert.equal(encode.allowOverload, false);
  });

  test('OVMF PXE arch 7 (captured): no option 43, so EDK2 asks again on 4011; file and siaddr set; broadcast', () => {
    const req = vector('ovmf-pxe-discover');
    assert.ok((req.flags & FLAG_BROADCAST) !== 0, 'EDK2 sets the broadcast flag');
    const { packet, to } = replyOf(handle(responder(), req));
    assert.equal(packet.options.has(43), false);
    assert.equal(packet.siaddr, SERVER);
    assert.equal(packet.file, 'ipxe.efi');
    assert.equal(getString(packet.options, 60), 'PXEClient');
    assert.deepEqual(to, { address: '255.255.255.255', port: 68 });
  });

  test('BIOS PXE firmware that is not iPXE: the BIOS binary, 43.6 = 8', () => {
    const req = vector('bios-ipxe-discover');
    req.options.delete(175);
    req.options.delete(77);
    const { packet } = replyOf(handle(responder(), req));
    assert.equal(packet.file, 'undionly.kpxe');
    assert.deepEqual(vendor(packet), { discoveryControl: PXE_DISCOVERY_USE_BOOTFILE });
  });

  test('relayed DISCOVER goes back to the relay on port 67', () => {
    const req = vector('bios-ipxe-discover');
    req.giaddr = '198.18.5.1';
    const { to } = replyOf(handle(responder(), req));
    assert.deepEqual(to, { address: '198.18.5.1', port: 67 });
  });

  test('boot files are fetched from serverAddress when the interface names one', () => {
    const r = responder();
    const o = r.handle(vector('ovmf-pxe-discover'), MessageType.Discover, { ...ON_67, iface: { ...IFACE, serverAddress: '198.18.0.9' } });
    const { packet } = replyOf(o);
    assert.equal(packet.siaddr, '198.18.0.9');
  });
});

describe('clients and messages that get nothing', () => {
  test('busybox udhcpc (captured) DISCOVER and REQUEST: silence on 67 and 4011', () => {
    const r = responder();
    for (const name of ['udhcpc-discover', 'udhcpc-request']) {
      assert.equal(handle(r, vector(name)).kind, 'silent', name);
      assert.equal(handle(r, vector(name), { iface: IFACE, via: 'pxe', from: { address: '198.18.0.184', port: 68 } }).kind, 'silent', `${name} on 4011`);
    }
    assert.equal(events.some((e) => e.level !== 'debug'), false, 'an OS client is not worth more than a debug line');
  });

  test('a PXE REQUEST on port 67 with option 50 (captured OVMF, iPXE): no ACK, no NAK, no address', () => {
    const r = responder();
    for (const name of ['ovmf-pxe-request', 'bios-ipxe-request', 'ipxe-efi-request']) {
      assert.ok(vector(name).options.has(50));
      assert.equal(handle(r, vector(name)).kind, 'silent', name);
    }
  });

  test('the same REQUEST with option 50 sent to 4011: an ACK that names no address and no lease', () => {
    const req = vector('ovmf-pxe-request');
    const { packet } = replyOf(handle(responder(), req, { iface: IFACE, via: 'pxe', from: { address: '0.0.0.0', port: 4011 } }));
    assert.equal(getMessageType(packet), MessageType.Ack);
    assert.equal(packet.yiaddr, '0.0.0.0');
  });

  test('DECLINE and RELEASE are for the LAN server: silence', () => {
    const r = responder();
    for (const type of [MessageType.Decline, MessageType.Release]) {
      const req = vector('bios-ipxe-request');
      setBytes(req.options, 53, Buffer.of(type));
      assert.equal(r.handle(req, type, ON_67).kind, 'silent');
    }
  });

  test('a PXE client of an arch with no binary configured (arm64): silence', () => {
    const req = vector('ovmf-pxe-discover');
    req.options.set(93, Buffer.from([0, 11]));
    setString(req.options, 60, 'PXEClient:Arch:00011:UNDI:003000');
    assert.equal(handle(responder(), req).kind, 'silent');
  });
});

describe('port 4011: ACK unicast to the source', () => {
  test('EDK2 proxy REQUEST from 4011 (captured): ACK to its address and port 4011 with ipxe.efi', () => {
    const req = edk2ProxyRequest();
    const client = req.ciaddr;
    assert.notEqual(client, '0.0.0.0');
    const { packet, to } = replyOf(handle(responder(), req, { iface: IFACE, via: 'pxe', from: { address: client, port: 4011 } }));
    assert.equal(getMessageType(packet), MessageType.Ack);
    assert.deepEqual(to, { address: client, port: 4011 });
    assert.equal(packet.file, 'ipxe.efi');
    assert.equal(packet.siaddr, SERVER);
    assert.equal(packet.ciaddr, client);
    assert.deepEqual(vendor(packet), { discoveryControl: PXE_DISCOVERY_USE_BOOTFILE });
    assert.deepEqual(packet.options.get(97), req.options.get(97));
    const ack = events.find((e) => e.kind === 'dhcp.proxy-ack');
    assert.equal(ack?.data?.['clientIp'], client);
  });

  test('iPXE ProxyDHCPREQUEST from port 68: ACK to its address and port 68 with the script', () => {
    const req = ipxeProxyRequest('bios-ipxe', SERVER);
    const client = leasedAddress('bios-ipxe');
    const { packet, to } = replyOf(handle(responder(), req, { iface: IFACE, via: 'pxe', from: { address: client, port: 68 } }));
    assert.deepEqual(to, { address: client, port: 68 });
    assert.match(packet.file, /boot\.ipxe\?mac=52:54:00:bf:00:01$/);
    assert.equal(packet.siaddr, SERVER);
  });

  test('a DISCOVER on 4011 gets an OFFER back to its source', () => {
    const { packet, to } = replyOf(handle(responder(), vector('bios-ipxe-discover'), { iface: IFACE, via: 'pxe', from: { address: '198.18.0.169', port: 68 } }));
    assert.equal(getMessageType(packet), MessageType.Offer);
    assert.deepEqual(to, { address: '198.18.0.169', port: 68 });
  });
});

describe('PXE boot menu', () => {
  const withMenu = (): BootfleetConfig => config({ boot: { menu: MENU } });

  test('UEFI: port 67 offer carries no menu; the 4011 ACK carries items, prompt, boot servers, discovery control', () => {
    const r = responder(withMenu());
    const offer = replyOf(handle(r, vector('ovmf-pxe-discover'))).packet;
    assert.equal(offer.options.has(43), false);
    assert.equal(offer.file, '');
    const req = edk2ProxyRequest();
    const { packet } = replyOf(handle(r, req, { iface: IFACE, via: 'pxe', from: { address: req.ciaddr, port: 4011 } }));
    assert.equal(packet.file, '', 'a menu reply names no file: the chosen item does');
    assert.deepEqual(vendor(packet), {
      discoveryControl: PXE_DISCOVERY_NO_BROADCAST | PXE_DISCOVERY_NO_MULTICAST,
      bootServers: [
        { type: PXE_TYPE_VENDOR_BASE + 1, ips: [SERVER] },
        { type: PXE_TYPE_VENDOR_BASE + 3, ips: [SERVER] },
      ],
      menu: [
        { type: 0, description: 'Boot from local disk' },
        { type: PXE_TYPE_VENDOR_BASE + 1, description: 'Install with bootfleet' },
        { type: PXE_TYPE_VENDOR_BASE + 3, description: 'Rescue' },
      ],
      prompt: { timeout: 5, text: 'Press F8 for the boot menu' },
    });
  });

  test('UEFI boot server REQUEST for the chosen item (43.71): ACK with its file, 43.71 echoed', () => {
    const r = responder(withMenu());
    const req = edk2ProxyRequest();
    const item = { type: PXE_TYPE_VENDOR_BASE + 3, layer: 0 };
    setBytes(req.options, 43, encodePxeVendorOptions({ bootItem: item }));
    const client = req.ciaddr;
    const { packet, to } = replyOf(handle(r, req, { iface: IFACE, via: 'pxe', from: { address: client, port: 4011 } }));
    assert.equal(packet.file, 'rescue.efi');
    assert.equal(packet.siaddr, SERVER);
    assert.deepEqual(vendor(packet), { bootItem: item });
    assert.deepEqual(to, { address: client, port: 4011 });
  });

  test('captured EDK2 boot item REQUEST (43.71 type 0x8000) with the capture\'s menu: ACK with the item\'s file', () => {
    const c = config({ boot: { menu: { items: [{ label: 'Install with bootfleet', csa: 'X86-64_EFI', plan: 'ipxe.efi' }, { label: 'Local disk', csa: 'X86-64_EFI', plan: 'local' }] } } });
    const req = edk2BootItemRequest();
    const { packet, to } = replyOf(handle(responder(c), req, { iface: IFACE, via: 'pxe', from: { address: req.ciaddr, port: 4011 } }));
    assert.equal(getMessageType(packet), MessageType.Ack);
    assert.equal(packet.file, 'ipxe.efi');
    assert.deepEqual(vendor(packet), { bootItem: { type: PXE_TYPE_VENDOR_BASE, layer: 0 } });
    assert.deepEqual(to, { address: req.ciaddr, port: 4011 });
  });

  test('BIOS PXE: the menu is in the port 67 offer; a boot item REQUEST broadcast to 67 is answered', () => {
    const r = responder(withMenu());
    const discover = vector('bios-ipxe-discover');
    discover.options.delete(175);
    discover.options.delete(77);
    const offer = replyOf(handle(r, discover)).packet;
    const opts = vendor(offer);
    assert.deepEqual(opts?.menu, [{ type: PXE_TYPE_VENDOR_BASE + 2, description: 'BIOS install' }]);
    assert.deepEqual(opts?.prompt, { timeout: 5, text: 'Press F8 for the boot menu' });

    const req = vector('bios-ipxe-request');
    req.options.delete(175);
    req.options.delete(77);
    req.options.delete(50);
    req.options.delete(54);
    req.ciaddr = '198.18.0.169';
    setBytes(req.options, 43, encodePxeVendorOptions({ bootItem: { type: PXE_TYPE_VENDOR_BASE + 2, layer: 0 } }));
    const { packet, to } = replyOf(handle(r, req));
    assert.equal(getMessageType(packet), MessageType.Ack);
    assert.equal(packet.file, 'undionly.kpxe');
    assert.deepEqual(to, { address: '198.18.0.169', port: 68 });
  });

  test('iPXE never sees the menu: it gets its script', () => {
    const { packet } = replyOf(handle(responder(withMenu()), vector('bios-ipxe-discover')));
    assert.deepEqual(vendor(packet), { discoveryControl: PXE_DISCOVERY_USE_BOOTFILE });
    assert.match(packet.file, /boot\.ipxe/);
  });

  test('an item of another arch, an unknown type, or BIS credentials: silence', () => {
    const r = responder(withMenu());
    for (const item of [
      { type: PXE_TYPE_VENDOR_BASE + 2, layer: 0 }, // x86PC item asked by a UEFI client
      { type: PXE_TYPE_VENDOR_BASE + 9, layer: 0 },
      { type: 7, layer: 0 },
      { type: PXE_TYPE_VENDOR_BASE + 1, layer: 0x8000 },
    ]) {
      const req = edk2ProxyRequest();
      setBytes(req.options, 43, encodePxeVendorOptions({ bootItem: item }));
      assert.equal(handle(r, req, { iface: IFACE, via: 'pxe', from: { address: '198.18.0.170', port: 4011 } }).kind, 'silent', JSON.stringify(item));
    }
  });
});

describe('proxySafetyProblem', () => {
  const req = vector('bios-ipxe-discover');
  test('an OFFER or ACK with no address is fine', () => {
    assert.equal(proxySafetyProblem(baseReply(req, MessageType.Offer, SERVER)), null);
    assert.equal(proxySafetyProblem(baseReply(req, MessageType.Ack, SERVER)), null);
  });
  test('an address, a NAK or a lease option is refused', () => {
    const withAddress = baseReply(req, MessageType.Offer, SERVER);
    withAddress.yiaddr = '198.18.0.100';
    assert.match(proxySafetyProblem(withAddress) ?? '', /yiaddr/);
    assert.match(proxySafetyProblem(baseReply(req, MessageType.Nak, SERVER)) ?? '', /not OFFER or ACK/);
    const withLease = baseReply(req, MessageType.Ack, SERVER);
    setIp(withLease.options, 1, '255.255.255.0');
    assert.match(proxySafetyProblem(withLease) ?? '', /option 1/);
  });
});
