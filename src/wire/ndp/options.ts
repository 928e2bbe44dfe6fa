/**
 * Typed views over Neighbor Discovery options (RFC 4861 §4.6) and builders for the ones
 * bootfleet sends. Views return null when an option is absent or too short to read.
 */
import type { NdpOption } from './packet.js';
import { formatIpv6 } from './ipv6-address.js';

export const NdpOptionType = {
  SourceLinkLayerAddress: 1,
  TargetLinkLayerAddress: 2,
  PrefixInformation: 3,
  RedirectedHeader: 4,
  Mtu: 5,
  RecursiveDnsServer: 25,
  DnsSearchList: 31,
} as const;

const MAC_TEXT = /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/;

/**
 * The Ethernet address in the first Source Link-Layer Address option, lower-case with
 * colons. On Ethernet the option is 8 bytes: 6 of address, no padding (RFC 2464 §6).
 */
export function sourceLinkLayerAddress(options: readonly NdpOption[]): string | null {
  const o = options.find((x) => x.type === NdpOptionType.SourceLinkLayerAddress);
  if (!o || o.body.length < 6) return null;
  return [...o.body.subarray(0, 6)].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** A Source Link-Layer Address option for an Ethernet MAC (`52:54:00:12:34:56`). */
export function sourceLinkLayerOption(mac: string): NdpOption {
  const m = mac.toLowerCase().replace(/-/g, ':');
  if (!MAC_TEXT.test(m)) throw new RangeError(`not a MAC address: ${mac}`);
  return { type: NdpOptionType.SourceLinkLayerAddress, body: Uint8Array.from(m.split(':').map((h) => parseInt(h, 16))) };
}

/** RFC 4861 §4.6.2. */
export interface PrefixInformation {
  prefixLength: number;
  onLink: boolean;
  autonomous: boolean;
  validLifetime: number;
  preferredLifetime: number;
  prefix: string;
}

/** Every well-formed Prefix Information option (body of 30 bytes), in order. */
export function prefixInformation(options: readonly NdpOption[]): PrefixInformation[] {
  const out: PrefixInformation[] = [];
  for (const o of options) {
    if (o.type !== NdpOptionType.PrefixInformation || o.body.length !== 30) continue;
    const v = new DataView(o.body.buffer, o.body.byteOffset, o.body.byteLength);
    out.push({
      prefixLength: o.body[0]!,
      onLink: (o.body[1]! & 0x80) !== 0,
      autonomous: (o.body[1]! & 0x40) !== 0,
      validLifetime: v.getUint32(2),
      preferredLifetime: v.getUint32(6),
      prefix: formatIpv6(o.body.subarray(14, 30)),
    });
  }
  return out;
}
