/**
 * Which address each client was ACKed, read off the wire: tcpdump in the lane's client
 * namespace keeps every BOOTREPLY to the relay, and the project's own pcap reader and DHCP
 * codec pick out the ACKs (chaddr → yiaddr). perfdhcp's lease list cannot do this: it keys
 * leases by the client identifier echoed in the reply (RFC 6842), and dnsmasq and bootfleet
 * do not echo it.
 */
import { readFileSync, rmSync } from 'node:fs';
import type { Netns } from '../lab/netns.js';
import { readPcap } from '../lab/pcap.js';
import { startCapture, type Capture } from '../lab/tcpdump.js';
import { decodeDhcp } from '../wire/dhcp/codec.js';
import { getMessageType, macOf } from '../wire/dhcp/options.js';
import { MessageType } from '../wire/dhcp/packet.js';
import { LANE } from './lane.js';

/** Server replies to the relay (BOOTREPLY, op 2, at UDP payload byte 0). */
const REPLIES_TO_RELAY = 'udp and dst port 67 and udp[8] = 2';

export function startAckCapture(ns: Netns, pcapFile: string): Promise<Capture> {
  return startCapture(ns, LANE.clientIf, pcapFile, REPLIES_TO_RELAY);
}

export interface CapturedAcks {
  /** [MAC, address] of every DHCPACK, in capture order. */
  acks: [string, string][];
  /** Replies that did not decode (should stay 0). */
  undecodable: number;
}

/** Reads and removes the capture file. */
export function acksFromCapture(pcapFile: string): CapturedAcks {
  let bytes: Buffer;
  try {
    bytes = readFileSync(pcapFile);
  } finally {
    rmSync(pcapFile, { force: true });
    rmSync(`${pcapFile}.log`, { force: true });
  }
  return acksFromPcap(bytes);
}

export function acksFromPcap(bytes: Uint8Array): CapturedAcks {
  const parsed = readPcap(bytes);
  const out: CapturedAcks = { acks: [], undecodable: 0 };
  if (!parsed.ok) return out;
  for (const rec of parsed.udp) {
    const d = decodeDhcp(Buffer.from(rec.payload));
    if (!d.ok) {
      out.undecodable++;
      continue;
    }
    if (getMessageType(d.packet) === MessageType.Ack) out.acks.push([macOf(d.packet), d.packet.yiaddr]);
  }
  return out;
}
