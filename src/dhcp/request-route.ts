/**
 * Which responder answers a request. bootfleet's own rule: the one of the socket it arrived on
 * (full-mode interfaces: the full responder on the DHCP port; proxy interfaces and every PXE
 * port: the proxy responder). A policy may ask for dnsmasq's rule instead (`ReplyPolicy.routing`),
 * because dnsmasq picks the dhcp-range first and lets the range's kind decide (rfc2131.c
 * `dhcp_reply`), wherever the request arrived — checked against dnsmasq 2.90 in
 * `dnsmasq/relay-routing.net.test.ts`:
 *  - a request that names its subnet (giaddr, 82.5, 118: `subnet-selection.ts`) on the DHCP
 *    port goes to full DHCP when a configured subnet holds that address, else to the proxy
 *    responder (a proxy range on the relay's network, or nothing) — on a proxy-only interface
 *    too, so a relay pointed at a proxyDHCP server still gets addresses for its ranges;
 *  - a renewal sent straight to a proxy-only interface (ciaddr in a configured subnet, no relay)
 *    goes to full DHCP, as the client's relayed lease came from there;
 *  - a boot server request (REQUEST or INFORM carrying 43.71) broadcast to the DHCP port of a
 *    full interface goes to the proxy responder, which answers it as it does on port 4011.
 */
import type { DhcpPacket } from '../wire/dhcp/packet.js';
import { MessageType } from '../wire/dhcp/packet.js';
import { isUnset } from './ipv4-math.js';
import { subnetContaining, type Subnet } from './pool.js';
import { rawBootItemOf } from './proxy-mode.js';
import { selectionAddress } from './subnet-selection.js';

/** The two responders. */
export type ResponderKind = 'full' | 'proxy';

/** bootfleet's routing (`socket`) or dnsmasq's (`dnsmasq`). */
export type RequestRouting = 'socket' | 'dnsmasq';

export interface RouteInput {
  /** The responder of the socket the request arrived on. */
  socket: ResponderKind;
  /** True for the PXE port (4011): always the proxy responder. */
  pxePort: boolean;
  packet: DhcpPacket;
  type: MessageType;
  /** The configured full-mode subnets. */
  subnets: readonly Subnet[];
  routing: RequestRouting;
}

/** The responder for one screened request. */
export function responderFor(input: RouteInput): ResponderKind {
  if (input.routing === 'socket' || input.pxePort) return input.socket;
  const { packet, type } = input;
  if ((type === MessageType.Request || type === MessageType.Inform) && rawBootItemOf(packet) !== null) return 'proxy';
  const selected = selectionAddress(packet);
  if (selected !== null) return subnetContaining(input.subnets, selected) !== null ? 'full' : 'proxy';
  // A client renewing straight to the server (ciaddr, no relay) on a proxy-only interface: the
  // subnet of its address decides (dnsmasq searches the ranges by ciaddr); a LAN client of the
  // proxy segment has an address in no configured subnet and stays with the proxy responder.
  if (input.socket === 'proxy' && type !== MessageType.Discover && !isUnset(packet.ciaddr) && subnetContaining(input.subnets, packet.ciaddr) !== null) return 'full';
  return input.socket;
}
