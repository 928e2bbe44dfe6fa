import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { UdpRecord } from '../lab/pcap.js';
import { rawPacket, tlv } from '../wire/dhcp/fixtures.js';
import { dhcpTiming } from './vm-boot-dhcp-timing.js';

const MAC = [0x52, 0x54, 0x00, 0xbf, 0x70, 0x10];
const OTHER = [0x52, 0x54, 0x00, 0xbf, 0x70, 0x20];

function rec(timeS: number, type: number, chaddr: number[], fromClient: boolean): UdpRecord {
  const payload = rawPacket({ op: fromClient ? 1 : 2, chaddr, options: Buffer.concat([tlv([53, [type]]), Buffer.of(255)]) });
  return { timeUs: timeS * 1e6, ethSrc: '', ethDst: '', srcIp: '', dstIp: '', srcPort: fromClient ? 68 : 67, dstPort: fromClient ? 67 : 68, payload };
}

test('dhcpTiming: first DISCOVER → first OFFER and → first ACK, for this client only', () => {
  const records = [
    rec(100, 1, OTHER, true),
    rec(100.5, 2, OTHER, false),
    rec(101, 1, MAC, true), // a ping-before-offer server holds its OFFER…
    rec(102, 1, MAC, true), // …iPXE retransmits…
    rec(104, 2, MAC, false), // …three seconds later
    rec(104.2, 3, MAC, true),
    rec(104.25, 5, MAC, false),
    rec(110, 5, MAC, false), // a later ACK (renewal) is not the first exchange
  ];
  assert.deepEqual(dhcpTiming(records, '52:54:00:bf:70:10'), { discoverToOffer: 3, discoverToAck: 3.25 });
  assert.deepEqual(dhcpTiming(records, '52:54:00:bf:70:20'), { discoverToOffer: 0.5, discoverToAck: null });
});

test('dhcpTiming: nothing from the client, other ports and undecodable payloads give nulls', () => {
  const junk: UdpRecord = { ...rec(1, 1, MAC, true), payload: Uint8Array.of(1, 2, 3) };
  const tftp: UdpRecord = { ...rec(1, 1, MAC, true), dstPort: 69 };
  assert.deepEqual(dhcpTiming([junk, tftp, rec(2, 2, MAC, false)], '52:54:00:bf:70:10'), { discoverToOffer: null, discoverToAck: null });
});
