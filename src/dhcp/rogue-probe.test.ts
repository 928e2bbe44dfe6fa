import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { BootEvent } from '../events/boot-event.js';
import { decodeDhcp, encodeDhcp } from '../wire/dhcp/codec.js';
import { getMessageType, macOf, setMessageType } from '../wire/dhcp/options.js';
import { BootOp, FLAG_BROADCAST, MessageType } from '../wire/dhcp/packet.js';
import { checkForOtherDhcpServers, describeServer, OtherDhcpServerError, offerFor, probeDiscover, type OtherDhcpServer, type ProbeOutcome, type ProbedInterface } from './rogue-probe.js';
import { vector } from './proxy-vectors.js';

const MAC = '52:54:00:bf:aa:01';
const XID = 0x1234abcd;

/** dnsmasq's captured OFFER to udhcpc, readdressed to the probe. */
function offerBytes(over: { xid?: number; mac?: string; type?: MessageType; op?: BootOp } = {}): Buffer {
  const p = vector('dnsmasq-offer-udhcpc');
  p.xid = over.xid ?? XID;
  p.chaddr = Buffer.alloc(16);
  Buffer.from((over.mac ?? MAC).replace(/:/g, ''), 'hex').copy(p.chaddr);
  if (over.type !== undefined) setMessageType(p.options, over.type);
  if (over.op !== undefined) p.op = over.op;
  return encodeDhcp(p);
}

describe('probe DISCOVER', () => {
  test('broadcast flag, our MAC, the xid, and nothing that marks it as PXE or iPXE', () => {
    const bytes = encodeDhcp(probeDiscover(MAC, XID));
    const d = decodeDhcp(bytes);
    assert.ok(d.ok);
    const p = d.packet;
    assert.equal(p.op, BootOp.Request);
    assert.equal(getMessageType(p), MessageType.Discover);
    assert.equal(p.xid, XID);
    assert.equal(p.flags & FLAG_BROADCAST, FLAG_BROADCAST);
    assert.equal(macOf(p), MAC);
    assert.equal(p.ciaddr, '0.0.0.0');
    assert.equal(p.file, '');
    // 60 PXEClient / 93 arch / 94 NII / 97 UUID / 77 user class / 175 iPXE / 43 vendor: a PXE-aware
    // server would answer those as a boot client; 50 would ask for an address we do not want.
    for (const code of [43, 50, 60, 77, 93, 94, 97, 175]) assert.equal(p.options.has(code), false, `option ${code}`);
    assert.deepEqual([...p.options.keys()].sort((a, b) => a - b), [53, 55]);
  });
});

describe('offerFor', () => {
  test('an OFFER with our xid and chaddr: server id, siaddr, offered address', () => {
    const offer = vector('dnsmasq-offer-udhcpc');
    assert.deepEqual(offerFor(offerBytes(), XID, MAC), { serverId: '198.18.0.2', siaddr: offer.siaddr, offered: offer.yiaddr });
  });

  test('anything else is not an answer to the probe', () => {
    assert.equal(offerFor(offerBytes({ xid: XID + 1 }), XID, MAC), null, 'other xid');
    assert.equal(offerFor(offerBytes({ mac: '52:54:00:bf:aa:02' }), XID, MAC), null, 'other chaddr');
    assert.equal(offerFor(offerBytes({ type: MessageType.Ack }), XID, MAC), null, 'an ACK');
    assert.equal(offerFor(offerBytes({ op: BootOp.Request }), XID, MAC), null, 'a BOOTREQUEST');
    assert.equal(offerFor(encodeDhcp(probeDiscover(MAC, XID)), XID, MAC), null, 'our own DISCOVER');
    assert.equal(offerFor(Buffer.from('not dhcp'), XID, MAC), null, 'garbage');
    assert.equal(offerFor(offerBytes().subarray(0, 100), XID, MAC), null, 'truncated');
  });
});

const ROUTER: OtherDhcpServer = { iface: 'bf0', serverId: '198.18.0.1', from: '198.18.0.1', siaddr: '0.0.0.0', offered: '198.18.0.120', mac: '52:54:00:00:00:01' };

async function check(ifaces: ProbedInterface[], outcomes: Record<string, ProbeOutcome>, listenSeconds = 2): Promise<{ lines: string[]; events: BootEvent[]; probed: string[]; error: unknown }> {
  const lines: string[] = [];
  const events: BootEvent[] = [];
  const probed: string[] = [];
  let error: unknown = null;
  try {
    await checkForOtherDhcpServers(ifaces, {
      listenSeconds,
      events: { emit: (e) => events.push(e) },
      say: (l) => lines.push(l),
      macOf: () => MAC,
      probe: async ({ device, mac, listenMs }) => {
        assert.equal(mac, MAC);
        assert.equal(listenMs, listenSeconds * 1000);
        probed.push(device);
        const o = outcomes[device] ?? { ok: true, servers: [] };
        return o.ok ? { ok: true, servers: o.servers.map((s) => ({ ...s, iface: device })) } : o;
      },
    });
  } catch (err) {
    error = err;
  }
  return { lines, events, probed, error };
}

describe('describeServer', () => {
  test('a relayed answer names the server and the relay; no MAC when the tap was not open', () => {
    assert.equal(describeServer({ ...ROUTER, from: '198.18.0.254', mac: null, siaddr: '198.18.9.9' }), '198.18.0.1 via 198.18.0.254 (offered 198.18.0.120, next-server 198.18.9.9)');
  });
});

describe('checkForOtherDhcpServers', () => {
  test('full mode beside another server: refused, naming the interface, the server and both overrides', async () => {
    const r = await check([{ name: 'bf0', mode: 'full', allowOtherDhcp: false }], { bf0: { ok: true, servers: [ROUTER] } });
    assert.ok(r.error instanceof OtherDhcpServerError, String(r.error));
    assert.match(r.error.message, /bf0/);
    assert.match(r.error.message, /198\.18\.0\.1/);
    assert.match(r.error.message, /allowOtherDhcp: true/);
    assert.match(r.error.message, /--allow-other-dhcp/);
    assert.match(r.error.message, /mode: proxy/);
    assert.deepEqual(r.error.found, [ROUTER]);
    const found = r.events.filter((e) => e.kind === 'dhcp.other-server');
    assert.equal(found.length, 1);
    assert.equal(found[0]?.level, 'error');
    assert.deepEqual(found[0]?.data, { iface: 'bf0', mode: 'full', serverId: '198.18.0.1', from: '198.18.0.1', siaddr: '0.0.0.0', offered: '198.18.0.120', serverMac: ROUTER.mac, allowed: false });
    assert.ok(r.lines.some((l) => /bf0 \(full\): DHCP server 198\.18\.0\.1 \(MAC 52:54:00:00:00:01, offered 198\.18\.0\.120\)$/.test(l)), r.lines.join('\n'));
  });

  test('full mode allowed: starts, with a warning', async () => {
    const r = await check([{ name: 'bf0', mode: 'full', allowOtherDhcp: true }], { bf0: { ok: true, servers: [ROUTER] } });
    assert.equal(r.error, null);
    assert.equal(r.events.find((e) => e.kind === 'dhcp.other-server')?.level, 'warn');
    assert.ok(r.lines.some((l) => /^warning: .*bf0 \(full\).*allowOtherDhcp/.test(l)), r.lines.join('\n'));
  });

  test('proxy mode: the LAN server is reported; none is a warning', async () => {
    const r = await check(
      [
        { name: 'p0', mode: 'proxy', allowOtherDhcp: false },
        { name: 'p1', mode: 'proxy', allowOtherDhcp: false },
      ],
      { p0: { ok: true, servers: [ROUTER] } },
    );
    assert.equal(r.error, null);
    assert.deepEqual(r.probed.sort(), ['p0', 'p1']);
    assert.equal(r.events.find((e) => e.kind === 'dhcp.other-server')?.data?.['iface'], 'p0');
    assert.ok(r.lines.some((l) => /p0 \(proxy\): DHCP server 198\.18\.0\.1/.test(l)));
    assert.ok(r.lines.some((l) => /^warning: .*p1 \(proxy\): no DHCP server answered in 2 s/.test(l)), r.lines.join('\n'));
    assert.equal(r.events.find((e) => e.kind === 'dhcp.probe' && e.data?.['iface'] === 'p1')?.level, 'warn');
  });

  test('full mode alone on its segment: one line saying nobody answered', async () => {
    const r = await check([{ name: 'f0', mode: 'full', allowOtherDhcp: false }], {});
    assert.equal(r.error, null);
    assert.ok(r.lines.some((l) => /f0 \(full\): no other DHCP server answered in 2 s/.test(l)));
  });

  test('a probe that cannot run is a warning, not a refusal', async () => {
    const r = await check([{ name: 'f0', mode: 'full', allowOtherDhcp: false }], { f0: { ok: false, error: 'cannot listen on f0 port 68: EADDRINUSE' } });
    assert.equal(r.error, null);
    assert.ok(r.lines.some((l) => /^warning: .*f0 \(full\).*EADDRINUSE/.test(l)));
  });

  test('probeSeconds 0: nothing is sent', async () => {
    const r = await check([{ name: 'f0', mode: 'full', allowOtherDhcp: false }], { f0: { ok: true, servers: [ROUTER] } }, 0);
    assert.equal(r.error, null);
    assert.deepEqual(r.probed, []);
    assert.match(r.lines.join('\n'), /probe: off/);
  });
});
