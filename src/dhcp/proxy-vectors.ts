/**
 * Real client requests for the proxy-mode tests: the captures in test/vectors/dhcp/ (see its
 * README), and the port-4011 requests derived from them as the PXE spec and the firmware's
 * source describe them, until the lab captures those in proxy mode too.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodeDhcp } from '../wire/dhcp/codec.js';
import type { DhcpPacket } from '../wire/dhcp/packet.js';
import { setIp } from '../wire/dhcp/options.js';

// Compiled to dist/dhcp/; the vectors live in the source tree.
const VECTOR_DIR = fileURLToPath(new URL('../../test/vectors/dhcp/', import.meta.url));

/** Raw bytes of `test/vectors/dhcp/<name>.bin`. */
export function vectorBytes(name: string): Buffer {
  return readFileSync(`${VECTOR_DIR}${name}.bin`);
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

/**
 * EDK2's proxy BINL REQUEST to port 4011 (PxeBcDhcp4Discover via PxeBcRetryBinlOffer): the
 * options of its DHCP REQUEST without 50 and 54, ciaddr set to the address it now holds, a new
 * xid, sent from port 4011.
 */
export function edk2ProxyRequest(): DhcpPacket {
  const p = vector('ovmf-pxe-request');
  p.options.delete(50);
  p.options.delete(54);
  p.ciaddr = leasedAddress('ovmf-pxe');
  p.xid = (p.xid + 1) >>> 0;
  return p;
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
