import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { acksFromPcap } from './ack-capture.js';

const vectors = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test/vectors/dhcp');

/** One Ethernet/IPv4/UDP frame to the relay's port 67 carrying `payload`. */
function udpFrame(payload: Uint8Array): Buffer {
  const eth = Buffer.from([0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x08, 0x00]);
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + 8 + payload.length, 2);
  ip[8] = 64;
  ip[9] = 17;
  Buffer.from([198, 18, 0, 2]).copy(ip, 12);
  Buffer.from([198, 19, 0, 1]).copy(ip, 16);
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(67, 0);
  udp.writeUInt16BE(67, 2);
  udp.writeUInt16BE(8 + payload.length, 4);
  return Buffer.concat([eth, ip, udp, payload]);
}

function pcap(frames: Buffer[]): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(1, 20);
  return Buffer.concat([
    header,
    ...frames.map((f) => {
      const h = Buffer.alloc(16);
      h.writeUInt32LE(f.length, 8);
      h.writeUInt32LE(f.length, 12);
      return Buffer.concat([h, f]);
    }),
  ]);
}

test('acksFromPcap keeps ACKs (MAC → yiaddr), skips OFFERs, counts garbage', () => {
  const ack = readFileSync(path.join(vectors, 'dnsmasq-ack-udhcpc.bin'));
  const offer = readFileSync(path.join(vectors, 'dnsmasq-offer-udhcpc.bin'));
  const r = acksFromPcap(pcap([udpFrame(offer), udpFrame(ack), udpFrame(Buffer.from([2, 1, 6]))]));
  assert.deepEqual(r.acks, [['52:54:00:bf:00:10', '198.18.0.184']]);
  assert.equal(r.undecodable, 1);
  assert.deepEqual(acksFromPcap(Buffer.alloc(3)), { acks: [], undecodable: 0, droppedByKernel: 0 });
});
