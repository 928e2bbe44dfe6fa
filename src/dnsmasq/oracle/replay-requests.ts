/**
 * The client requests the differential tests replay: the real captures in test/vectors/dhcp
 * (BIOS iPXE, OVMF PXE arch 7, ipxe.efi, udhcpc) and variants made from them for firmware the
 * lab cannot run (UEFI arch 9, a BIOS PXE ROM that is not iPXE, gPXE), each with its own MAC
 * so their leases do not interfere.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodeDhcp, encodeDhcp } from '../../wire/dhcp/codec.js';
import type { DhcpPacket } from '../../wire/dhcp/packet.js';

/** Compiled to dist/dnsmasq/oracle/; the vectors live in the source tree. */
export const VECTOR_DIR = fileURLToPath(new URL('../../../test/vectors/dhcp/', import.meta.url));

export interface ReplayClient {
  name: string;
  mac: string;
  /** A capture as it crossed the wire, or a variant derived from one. */
  origin: 'captured' | 'derived';
  note: string;
  discover: Buffer;
  request: Buffer;
}

function load(name: string): Buffer {
  return readFileSync(`${VECTOR_DIR}${name}.bin`);
}

function decoded(bytes: Buffer): DhcpPacket {
  const r = decodeDhcp(bytes);
  if (!r.ok) throw new Error(`vector does not decode: ${r.error.message}`);
  return r.packet;
}

/** A copy of a captured request with another MAC and some options replaced (null removes one). */
function variant(bytes: Buffer, mac: string, changes: Record<number, Buffer | null>): Buffer {
  const p = decoded(bytes);
  const macBytes = Buffer.from(mac.replace(/:/g, ''), 'hex');
  p.chaddr = Buffer.alloc(16);
  macBytes.copy(p.chaddr);
  const options = new Map(p.options);
  if (options.has(61)) options.set(61, Buffer.concat([Buffer.from([1]), macBytes]));
  for (const [code, value] of Object.entries(changes)) {
    if (value === null) options.delete(Number(code));
    else options.set(Number(code), value);
  }
  p.options = options;
  return encodeDhcp(p);
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n, 0);
  return b;
}

/** Every client, captured ones first. */
export function replayClients(): ReplayClient[] {
  const pair = (name: string): { discover: Buffer; request: Buffer } => ({ discover: load(`${name}-discover`), request: load(`${name}-request`) });
  const bios = pair('bios-ipxe');
  const ovmf = pair('ovmf-pxe');
  const derive = (base: { discover: Buffer; request: Buffer }, mac: string, changes: Record<number, Buffer | null>): { discover: Buffer; request: Buffer } => ({
    discover: variant(base.discover, mac, changes),
    request: variant(base.request, mac, changes),
  });
  return [
    { name: 'bios-ipxe', mac: '52:54:00:bf:00:01', origin: 'captured', note: 'QEMU iPXE NIC ROM under SeaBIOS (arch 0, user class iPXE, option 175)', ...bios },
    { name: 'ovmf-pxe', mac: '52:54:00:bf:00:02', origin: 'captured', note: 'OVMF/EDK2 PXE (arch 7, broadcast flag)', ...ovmf },
    { name: 'ipxe-efi', mac: '52:54:00:bf:00:02', origin: 'captured', note: 'ipxe.efi chained from OVMF (arch 7, iPXE)', ...pair('ipxe-efi') },
    { name: 'udhcpc', mac: '52:54:00:bf:00:10', origin: 'captured', note: 'busybox udhcpc: an OS client', ...pair('udhcpc') },
    {
      name: 'uefi-arch9', mac: '52:54:00:bf:00:03', origin: 'derived', note: 'OVMF PXE capture with arch 9 (x64 UEFI firmware that sends EBC)',
      ...derive(ovmf, '52:54:00:bf:00:03', { 93: u16(9), 60: Buffer.from('PXEClient:Arch:00009:UNDI:003000') }),
    },
    {
      name: 'bios-pxe', mac: '52:54:00:bf:00:05', origin: 'derived', note: 'BIOS iPXE capture without 77/175: a plain BIOS PXE ROM',
      ...derive(bios, '52:54:00:bf:00:05', { 77: null, 175: null }),
    },
    {
      name: 'gpxe', mac: '52:54:00:bf:00:04', origin: 'derived', note: 'BIOS iPXE capture with user class gPXE',
      ...derive(bios, '52:54:00:bf:00:04', { 77: Buffer.from('gPXE') }),
    },
  ];
}

/** Walks the options area of a raw message; calls `visit` with each option's value offset and length. */
function eachOption(msg: Buffer, visit: (code: number, at: number, len: number) => void): void {
  let i = 240;
  while (i < msg.length) {
    const code = msg[i] as number;
    if (code === 0) {
      i++;
      continue;
    }
    if (code === 255 || i + 1 >= msg.length) return;
    const len = msg[i + 1] as number;
    visit(code, i + 2, len);
    i += 2 + len;
  }
}

/**
 * A copy of a request ready to replay: a fresh transaction id, and for a REQUEST the address
 * and server it selects (as a real client would after the OFFER it got).
 */
export function forReplay(msg: Buffer, xid: number, select?: { address: string; server: string }): Buffer {
  const out = Buffer.from(msg);
  out.writeUInt32BE(xid >>> 0, 4);
  if (select !== undefined) {
    eachOption(out, (code, at, len) => {
      if (code === 50 && len === 4) Buffer.from(select.address.split('.').map(Number)).copy(out, at);
      if (code === 54 && len === 4) Buffer.from(select.server.split('.').map(Number)).copy(out, at);
    });
  }
  return out;
}

/** A request EDK2 sends to a proxy or boot server on port 4011, from its leased address and port 4011. */
export interface PxePortRequest {
  name: string;
  mac: string;
  packet: Buffer;
  from: { address: string; port: number };
}

/**
 * EDK2's port-4011 requests, captured in proxy mode (test/vectors/dhcp-proxy/): the proxy
 * (BINL) REQUEST after a proxy offer without option 43, and the boot server REQUEST for menu
 * item 0x8000 (43.71). Both from 198.18.0.142:4011, the address the capture's LAN server gave.
 */
export function pxePortRequests(): PxePortRequest[] {
  const dir = fileURLToPath(new URL('../../../test/vectors/dhcp-proxy/', import.meta.url));
  const from = { address: '198.18.0.142', port: 4011 };
  return [
    { name: 'ovmf-pxe 4011 proxy', mac: '52:54:00:bf:00:22', packet: readFileSync(`${dir}ovmf-pxe-proxy-request.bin`), from },
    { name: 'ovmf-pxe 4011 boot-item', mac: '52:54:00:bf:00:22', packet: readFileSync(`${dir}ovmf-pxe-bootitem-request.bin`), from },
  ];
}
