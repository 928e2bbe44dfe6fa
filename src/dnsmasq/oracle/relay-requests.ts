/**
 * Crafted relayed requests that name their subnet (giaddr, option 118, option 82.5), and the
 * configuration they are sent to: shared by the live check (`relay-routing.net.test.ts`), the
 * capture of dnsmasq 2.90's replies to them (`capture-relay-vectors.ts` →
 * test/vectors/dnsmasq-relay/) and the root-free check of those replies (`relay-vectors.test.ts`).
 * Fixed transaction ids, so a capture is the same every time for the same dnsmasq.
 */
import { request } from '../../dhcp/test-packets.js';
import { decodeDhcp } from '../../wire/dhcp/codec.js';
import { getMessageType } from '../../wire/dhcp/options.js';
import { MessageType, type DhcpPacket } from '../../wire/dhcp/packet.js';

/** The relay every request comes through: local to the client namespace, routed from the server. */
export const RELAY = '198.18.5.1';

/** The configuration (one line each): a local range and three relayed ones, one of them class-guessed. */
export const SELECTION_CONF: readonly string[] = [
  'dhcp-range=198.18.0.100,198.18.0.120,1h',
  'dhcp-range=set:far,198.18.5.50,198.18.5.60,255.255.255.0,2h',
  'dhcp-range=set:far6,198.18.6.50,198.18.6.60,255.255.255.0,3h',
  'dhcp-range=set:far7,198.18.7.50,198.18.7.60',
  'dhcp-boot=tag:far,far.efi', 'dhcp-boot=tag:far6,far6.efi', 'dhcp-boot=tag:far7,far7.efi', 'dhcp-boot=near.efi',
];

/** The ranges of SELECTION_CONF by tag, for naming where an address came from. */
export const SELECTION_RANGES: Readonly<Record<string, [string, string]>> = {
  near: ['198.18.0.100', '198.18.0.120'], far: ['198.18.5.50', '198.18.5.60'], far6: ['198.18.6.50', '198.18.6.60'], far7: ['198.18.7.50', '198.18.7.60'],
};

/** One crafted request: a file-name-safe name, the packet, and the MAC it is sent from. */
export interface RelayRequest {
  name: string;
  mac: string;
  packet: DhcpPacket;
}

function ip(s: string): Buffer {
  return Buffer.from(s.split('.').map(Number));
}

/** Option 82 holding `link` as sub-option 5, after `before` (other sub-options, raw). */
function linkSelection(link: Buffer, before: number[] = []): Buffer {
  return Buffer.concat([Buffer.from(before), Buffer.from([5, link.length]), link]);
}

/** The selection requests, each a DISCOVER from its own MAC through RELAY. */
export function selectionRequests(): RelayRequest[] {
  const out: RelayRequest[] = [];
  const add = (name: string, relayAgent: Buffer | null, opt118: Buffer | null): void => {
    const n = out.length + 1;
    const mac = `52:54:00:dd:03:${n.toString(16).padStart(2, '0')}`;
    const p = request(MessageType.Discover, { mac, xid: 0x7e000000 + n, giaddr: RELAY, paramRequest: [1, 3, 28, 51], ...(relayAgent !== null ? { relayAgent } : {}) });
    if (opt118 !== null) p.options.set(118, opt118);
    out.push({ name, mac, packet: p });
  };
  add('giaddr-only', null, null);
  add('opt118-other-relayed-subnet', null, ip('198.18.6.0'));
  add('opt82-5-link-selection', linkSelection(ip('198.18.6.7'), [1, 2, 0, 1]), null);
  add('opt82-5-wins-over-118', linkSelection(ip('198.18.6.7')), ip('198.18.0.0'));
  add('opt118-local-subnet', null, ip('198.18.0.0'));
  add('opt118-no-range', null, ip('198.18.9.0'));
  add('opt118-guessed-netmask', null, ip('198.18.7.9'));
  add('opt82-5-short-ignored', linkSelection(ip('198.18.6.7').subarray(0, 3)), null);
  add('opt118-long-first-4-bytes', null, Buffer.from([198, 18, 6, 0, 1]));
  return out;
}

/** What is compared of a reply: type, the range its address is from, boot fields, network options and 118. */
export function relayReplyView(reply: Buffer | DhcpPacket | null, ranges: Readonly<Record<string, [string, string]>>, skipYiaddr = false): Record<string, string | null> | null {
  if (reply === null) return null;
  let p: DhcpPacket;
  if (Buffer.isBuffer(reply)) {
    const d = decodeDhcp(reply);
    if (!d.ok) return { error: d.error.code };
    p = d.packet;
  } else p = reply;
  const n = (a: string): number => a.split('.').reduce((x, o) => x * 256 + Number(o), 0);
  const range = Object.entries(ranges).find(([, [lo, hi]]) => n(p.yiaddr) >= n(lo) && n(p.yiaddr) <= n(hi))?.[0];
  const hex = (code: number): string | null => p.options.get(code)?.toString('hex') ?? null;
  return {
    type: MessageType[getMessageType(p) ?? 0] ?? '?',
    address: skipYiaddr ? '(not compared)' : (range ?? p.yiaddr),
    siaddr: p.siaddr, sname: p.sname, file: p.file,
    netmask: hex(1), router: hex(3), broadcast: hex(28), vendor: hex(43), server: hex(54), vendorClass: hex(60), bootfile: hex(67), selection: hex(118),
  };
}
