import { test } from 'node:test';
import assert from 'node:assert/strict';
import { udpReceiveDrops } from './storm-netstat.js';

test('udpReceiveDrops reads the Udp line by column name, not UdpLite; null when missing', () => {
  const snmp = [
    'Ip: Forwarding DefaultTTL',
    'Ip: 1 64',
    'Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors',
    'Udp: 5000 3 120 4000 117 0 0 0 0',
    'UdpLite: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors',
    'UdpLite: 0 0 0 0 0 0 0 0 0',
    '',
  ].join('\n');
  assert.deepEqual(udpReceiveDrops(snmp), { rcvbufErrors: 117, inErrors: 120 });
  assert.equal(udpReceiveDrops('Ip: 1\nIp: 2\n'), null);
  assert.equal(udpReceiveDrops('Udp: InDatagrams\nUdp: 5\n'), null);
});
