/**
 * Which address each client was ACKed, read off the wire: tcpdump in the lane's client
 * namespace keeps every BOOTREPLY to the relay, and the project's own pcap reader and DHCP
 * codec pick out the ACKs (chaddr → yiaddr). perfdhcp's lease list cannot do this: it keys
 * leases by the client identifier echoed in the reply (RFC 6842), and dnsmasq and bootfleet
 * do not echo it.
 */
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import type { Netns } from '../lab/netns.js';
import { readPcap } from '../lab/pcap.js';
import { readTextSafe, waitForOutput } from '../lab/wait-output.js';
import { decodeDhcp } from '../wire/dhcp/codec.js';
import { getMessageType, macOf } from '../wire/dhcp/options.js';
import { MessageType } from '../wire/dhcp/packet.js';
import { LANE } from './lane.js';

/** Server replies to the relay (BOOTREPLY, op 2, at UDP payload byte 0). */
const REPLIES_TO_RELAY = 'udp and dst port 67 and udp[8] = 2';

/** A running capture of the replies to the relay. */
export interface AckCapture {
  /** Stops tcpdump, reads and removes the file. */
  finish(): Promise<CapturedAcks>;
}

/**
 * tcpdump with a 64 MiB kernel buffer (`-B`) and short snaps: at Kea's rates (tens of
 * thousands of replies a second) the default 2 MiB ring drops packets.
 */
export async function startAckCapture(ns: Netns, pcapFile: string): Promise<AckCapture> {
  const logFile = `${pcapFile}.log`;
  const fd = openSync(logFile, 'w');
  const args = ['-i', LANE.clientIf, '-n', '-B', '65536', '-s', '600', '-U', '-Z', 'root', '-w', pcapFile, REPLIES_TO_RELAY];
  const child = ns.spawn('tcpdump', args, { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  let gone = false;
  child.once('exit', () => (gone = true));
  await waitForOutput(logFile, /listening on/, 10_000, () => gone, 'tcpdump');
  return {
    async finish() {
      // Let the last replies leave the kernel's buffer before tcpdump closes it.
      await new Promise((r) => setTimeout(r, 300));
      await ns.stop(child, 'SIGINT');
      const dropped = /(\d+) packets? dropped by kernel/.exec(readTextSafe(logFile));
      let bytes: Buffer;
      try {
        bytes = readFileSync(pcapFile);
      } finally {
        rmSync(pcapFile, { force: true });
        rmSync(logFile, { force: true });
      }
      return { ...acksFromPcap(bytes), droppedByKernel: dropped ? Number(dropped[1]) : 0 };
    },
  };
}

export interface CapturedAcks {
  /** [MAC, address] of every DHCPACK, in capture order. */
  acks: [string, string][];
  /** Replies that did not decode (should stay 0). */
  undecodable: number;
  /** What tcpdump said it lost: the check then covered fewer ACKs than were sent. */
  droppedByKernel: number;
}

export function acksFromPcap(bytes: Uint8Array): CapturedAcks {
  const parsed = readPcap(bytes);
  const out: CapturedAcks = { acks: [], undecodable: 0, droppedByKernel: 0 };
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
