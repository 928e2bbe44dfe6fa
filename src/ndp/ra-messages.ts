/**
 * The only two messages bootfleet sends on the IPv6 side (docs/adr/0005-ipv6-ra.md).
 */
import { encodeNdp, NdpType, sourceLinkLayerOption, type RouterAdvertisement } from '../wire/ndp/index.js';

/**
 * The advertisement an iPXE client gets: it says nothing. Router lifetime 0 — not a default
 * router (RFC 4861 §4.2, §6.3.4); no Prefix Information — no address, no on-link prefix;
 * M = O = 0 — no DHCPv6 (iPXE starts DHCPv6 only for M or O); hop limit, reachable time and
 * retransmit timer 0 — unspecified, the host keeps its own; no MTU, no source link-layer
 * address, no RDNSS. iPXE's IPv6 configurator ends on any router advertisement
 * (src/net/ndp.c, ipv6conf_rx_router_advertisement), which is all this is for.
 */
export const EMPTY_ROUTER_ADVERTISEMENT: Readonly<RouterAdvertisement> = Object.freeze({
  type: NdpType.RouterAdvertisement,
  curHopLimit: 0,
  flags: 0,
  routerLifetime: 0,
  reachableTime: 0,
  retransTimer: 0,
  options: [],
});

export function emptyRouterAdvertisementBytes(): Buffer {
  return encodeNdp(EMPTY_ROUTER_ADVERTISEMENT);
}

/**
 * The router solicitation bootfleet sends at start to hear the link's routers at once
 * rather than at their next unsolicited advertisement (up to 30 min away). Carries our
 * link-layer address as a host's does (RFC 4861 §4.1), when we know it.
 */
export function routerSolicitationBytes(mac: string | null): Buffer {
  return encodeNdp({ type: NdpType.RouterSolicitation, options: mac ? [sourceLinkLayerOption(mac)] : [] });
}
