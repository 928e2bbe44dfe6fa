/** iPXE's encapsulated options (option 175, iPXE include/ipxe/dhcp.h) that bootfleet sends. */
import type { DhcpPacket } from '../wire/dhcp/packet.js';
import { decodeSubOptions, encodeSubOptions, setBytes } from '../wire/dhcp/options.js';

export const OPTION_IPXE_ENCAP = 175;
/** 175.176 no-pxedhcp: iPXE's DHCP_EB_NO_PXEDHCP. */
export const IPXE_NO_PXEDHCP = 176;

/**
 * Sets 175.176 = 1 in `reply`: iPXE then takes this DHCP offer without waiting for
 * ProxyDHCP offers (iPXE dhcp.c waits DHCP_DISC_PROXY_TIMEOUT_SEC for them otherwise). Only
 * right where no proxyDHCP server serves the segment: iPXE would ignore its offer.
 */
export function addIpxeNoPxeDhcp(reply: DhcpPacket): void {
  const existing = reply.options.get(OPTION_IPXE_ENCAP);
  const subs = (existing !== undefined ? decodeSubOptions(existing) : null) ?? new Map<number, Buffer>();
  subs.set(IPXE_NO_PXEDHCP, Buffer.of(1));
  // Ended by 255 like dnsmasq's encapsulated options; iPXE reads either.
  setBytes(reply.options, OPTION_IPXE_ENCAP, encodeSubOptions(subs, { end: true }));
}
