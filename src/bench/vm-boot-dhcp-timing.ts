/**
 * Where a boot's DHCP time goes, read from a capture of the lab bridge: how long the first
 * DISCOVER waited for its OFFER (dnsmasq's ping before a new offer shows here) and how long the
 * whole first exchange took, DISCOVER to ACK. Pure: capture records in, seconds out.
 */
import type { UdpRecord } from '../lab/pcap.js';
import { decodeDhcp } from '../wire/dhcp/index.js';

/** DHCP message types (RFC 2132 §9.6). */
const DISCOVER = 1;
const OFFER = 2;
const ACK = 5;

export interface DhcpTiming {
  /** First DISCOVER from the client → first OFFER to it; null when either is missing. */
  discoverToOffer: number | null;
  /** First DISCOVER → first ACK to it. */
  discoverToAck: number | null;
}

function messageOf(r: UdpRecord): { type: number; mac: string } | null {
  if (!((r.srcPort === 68 && r.dstPort === 67) || (r.srcPort === 67 && r.dstPort === 68))) return null;
  const d = decodeDhcp(r.payload);
  if (!d.ok) return null;
  const t = d.packet.options.get(53);
  if (t === undefined || t.length !== 1) return null;
  const mac = Array.from(d.packet.chaddr.subarray(0, 6), (x) => x.toString(16).padStart(2, '0')).join(':');
  return { type: t[0]!, mac };
}

/** The timing of `mac`'s first DHCP exchange in `records` (capture order). */
export function dhcpTiming(records: readonly UdpRecord[], mac: string): DhcpTiming {
  let discover: number | null = null;
  let offer: number | null = null;
  let ack: number | null = null;
  for (const r of records) {
    const m = messageOf(r);
    if (m === null || m.mac !== mac) continue;
    if (m.type === DISCOVER && discover === null) discover = r.timeUs;
    else if (m.type === OFFER && discover !== null && offer === null) offer = r.timeUs;
    else if (m.type === ACK && discover !== null && ack === null) ack = r.timeUs;
  }
  const since = (t: number | null): number | null => (discover === null || t === null ? null : (t - discover) / 1e6);
  return { discoverToOffer: since(offer), discoverToAck: since(ack) };
}
