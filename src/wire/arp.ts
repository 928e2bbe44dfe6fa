/**
 * ARP for IPv4 over Ethernet (RFC 826): the 28-byte packet after the Ethernet header, as a
 * packet socket of type SOCK_DGRAM hands it over and takes it. Pure: no I/O, no clock.
 * Decoding never throws and never reads past the buffer; bytes after the 28 (Ethernet's
 * minimum-frame padding) are ignored.
 *
 * Used by the DHCP server's address conflict detection (`dhcp/conflict-*.ts`): an RFC 5227
 * probe asks "who has this address?" with sender IP 0.0.0.0, so that no host updates its
 * ARP cache from it, and any host that uses the address answers.
 */

/** ar_op values (RFC 826; 3 and up are RARP/InARP and are decoded as numbers). */
export const ArpOp = {
  Request: 1,
  Reply: 2,
} as const;

/** Length of an Ethernet/IPv4 ARP packet. */
export const ARP_PACKET_SIZE = 28;
/** EtherType of ARP: a packet socket's protocol, and ar_pro's neighbour. */
export const ETH_P_ARP = 0x0806;
const HTYPE_ETHERNET = 1;
const PTYPE_IPV4 = 0x0800;

export interface ArpPacket {
  /** 1 request, 2 reply (other values are kept as they are). */
  op: number;
  /** Lower-case colon-separated MAC. */
  senderMac: string;
  /** Dotted quad; 0.0.0.0 in an RFC 5227 probe. */
  senderIp: string;
  targetMac: string;
  targetIp: string;
}

export const ARP_DECODE_ERRORS = {
  ARP_TRUNCATED: 'shorter than the 28 bytes of an Ethernet/IPv4 ARP packet',
  ARP_NOT_ETHERNET_IPV4: 'hardware type is not Ethernet (1) with 6-byte addresses, or protocol is not IPv4 (0x0800) with 4-byte addresses',
} as const;

export type ArpDecodeErrorCode = keyof typeof ARP_DECODE_ERRORS;

export type ArpDecodeResult =
  | { ok: true; packet: ArpPacket }
  | { ok: false; error: { code: ArpDecodeErrorCode; message: string; offset: number } };

/** Decodes an ARP packet (no Ethernet header). Never throws. */
export function decodeArp(bytes: Uint8Array): ArpDecodeResult {
  if (bytes.length < ARP_PACKET_SIZE) return fail('ARP_TRUNCATED', bytes.length);
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.readUInt16BE(0) !== HTYPE_ETHERNET || b.readUInt16BE(2) !== PTYPE_IPV4 || b[4] !== 6 || b[5] !== 4) {
    return fail('ARP_NOT_ETHERNET_IPV4', 0);
  }
  return {
    ok: true,
    packet: {
      op: b.readUInt16BE(6),
      senderMac: macText(b, 8),
      senderIp: ipText(b, 14),
      targetMac: macText(b, 18),
      targetIp: ipText(b, 24),
    },
  };
}

/** Encodes `p` (28 bytes). Throws on a malformed MAC or IP or an op outside 0..65535: those are bugs, not wire data. */
export function encodeArp(p: ArpPacket): Buffer {
  if (!Number.isInteger(p.op) || p.op < 0 || p.op > 0xffff) throw new RangeError(`ARP op ${p.op} out of range`);
  const b = Buffer.alloc(ARP_PACKET_SIZE);
  b.writeUInt16BE(HTYPE_ETHERNET, 0);
  b.writeUInt16BE(PTYPE_IPV4, 2);
  b[4] = 6;
  b[5] = 4;
  b.writeUInt16BE(p.op, 6);
  macBytes(p.senderMac).copy(b, 8);
  ipBytes(p.senderIp).copy(b, 14);
  macBytes(p.targetMac).copy(b, 18);
  ipBytes(p.targetIp).copy(b, 24);
  return b;
}

/**
 * An RFC 5227 §2.1.1 probe for `targetIp` from `senderMac`: a request with sender IP 0.0.0.0
 * (so it cannot poison anyone's ARP cache) and target MAC zero.
 */
export function arpProbe(senderMac: string, targetIp: string): ArpPacket {
  return { op: ArpOp.Request, senderMac, senderIp: '0.0.0.0', targetMac: '00:00:00:00:00:00', targetIp };
}

function fail(code: ArpDecodeErrorCode, offset: number): ArpDecodeResult {
  return { ok: false, error: { code, message: ARP_DECODE_ERRORS[code], offset } };
}

function macText(b: Buffer, at: number): string {
  return Array.from(b.subarray(at, at + 6), (x) => x.toString(16).padStart(2, '0')).join(':');
}

function ipText(b: Buffer, at: number): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

function macBytes(mac: string): Buffer {
  if (!/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(mac)) throw new RangeError(`not a MAC address: ${JSON.stringify(mac)}`);
  return Buffer.from(mac.replace(/:/g, ''), 'hex');
}

function ipBytes(ip: string): Buffer {
  const parts = ip.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) throw new RangeError(`not an IPv4 address: ${JSON.stringify(ip)}`);
  return Buffer.from(parts.map(Number));
}
