/**
 * Real client requests for the proxy-mode tests: the full-mode captures in test/vectors/dhcp/,
 * EDK2's port-4011 requests captured in proxy mode in test/vectors/dhcp-proxy/ (see their
 * READMEs), and iPXE's ProxyDHCPREQUEST derived from its capture (iPXE sends one only when a
 * proxy offer lacks PXE options, which bootfleet's never do, so the lab cannot capture it).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodeDhcp } from '../wire/dhcp/codec.js';
import type { DhcpPacket } from '../wire/dhcp/packet.js';
import { setIp } from '../wire/dhcp/options.js';

// Compiled to dist/dhcp/; the vectors live in the source tree.
const VECTOR_ROOT = fileURLToPath(new URL('../../test/vectors/', import.meta.url));

/** Raw bytes of `test/vectors/dhcp/<name>.bin`, or of `test/vectors/<dir/name>.bin` when `name` has a slash. */
export function vectorBytes(name: string): Buffer {
  return readFileSync(`${VECTOR_ROOT}${name.includes('/') ? name : `dhcp/${name}`}.bin`);
}

/** A captured vector, decoded (throws if the capture does not decode: a test bug). */
export function vector(name: string): DhcpPacket {
  const r = decodeDhcp(vectorBytes(name));
  if (!r.ok) throw new Error(`${name}: ${r.error.code}: ${r.error.message}`);
  return r.packet;
}

/** The address dnsmasq gave each VM during the capture (dnsmasq-ack-*.bin). */
export function leasedAddress(client: 'ovmf-pxe' | 'bios-ipxe' | 'ipxe-efi'): string {
  return vector(`dnsmasq-ack-${client}`).yiaddr;
}

/** EDK2's proxy BINL REQUEST to port 4011, from port 4011 (captured): ciaddr is its address. */
export function edk2ProxyRequest(): DhcpPacket {
  return vector('dhcp-proxy/ovmf-pxe-proxy-request');
}

/**
 * EDK2's boot server REQUEST for the PXE menu item it chose (captured): 43.71 type 0x8000
 * (boot.menu.items[0] of the capture's config) layer 0, to port 4011 from port 4011.
 */
export function edk2BootItemRequest(): DhcpPacket {
  return vector('dhcp-proxy/ovmf-pxe-bootitem-request');
}

/**
 * iPXE's ProxyDHCPREQUEST (dhcp.c dhcp_proxy_tx): its DHCP REQUEST's options with 54 set to the
 * proxy server and no 50, ciaddr its new address, unicast to `proxyServer`:4011 from port 68.
 */
export function ipxeProxyRequest(client: 'bios-ipxe' | 'ipxe-efi', proxyServer: string): DhcpPacket {
  const p = vector(`${client}-request`);
  p.options.delete(50);
  setIp(p.options, 54, proxyServer);
  p.ciaddr = leasedAddress(client);
  return p;
}
