import { test } from 'node:test';
import assert from 'node:assert/strict';
import { doraLoss, LeaseLedger, parsePerfdhcp } from './perfdhcp-output.js';

// perfdhcp 2.2.0 against kea-dhcp4 in a bench lane (relay mode, -R 1000 -r 500 -p 3).
const SAMPLE = `Running: perfdhcp -4 -l 198.19.0.1 -R 1000 -r 500 -p 3 198.18.0.2
Scenario: basic.
Multi-thread mode enabled.
***Rate statistics***
Rate: 499.58 4-way exchanges/second, expected rate: 500

***Malformed Packets***
Malformed packets: 0
***Statistics for: DISCOVER-OFFER***
sent packets: 1499
received packets: 1499
drops: 0
drops ratio: 0 %
orphans: 0
rejected leases: 0
non unique addresses: 0

min delay: 0.037 ms
avg delay: 0.071 ms
max delay: 1.256 ms
std deviation: 0.046 ms
collected packets: 0

***Statistics for: REQUEST-ACK***
sent packets: 1499
received packets: 1480
drops: 19
drops ratio: 1.268 %
orphans: 0
rejected leases: 0
non unique addresses: 2

min delay: 0.047 ms
avg delay: 0.114 ms
max delay: 1.051 ms
std deviation: 0.036 ms
collected packets: 0
`;

test('parsePerfdhcp reads rate, both halves, delays and uniqueness', () => {
  const r = parsePerfdhcp(SAMPLE);
  assert.ok(r);
  assert.equal(r.rate, 499.58);
  assert.deepEqual(r.discoverOffer, { sent: 1499, received: 1499, drops: 0, nonUnique: 0, minMs: 0.037, avgMs: 0.071, maxMs: 1.256 });
  assert.equal(r.requestAck.received, 1480);
  assert.equal(r.requestAck.nonUnique, 2);
  assert.ok(Math.abs(doraLoss(r) - 19 / 1499) < 1e-9);
});

test('parsePerfdhcp returns null without a report; doraLoss of nothing sent is total', () => {
  assert.equal(parsePerfdhcp('Error: cannot bind\n'), null);
  const r = parsePerfdhcp(SAMPLE.replace('sent packets: 1499', 'sent packets: 0'));
  assert.ok(r);
  assert.equal(doraLoss(r), 1);
});

test('LeaseLedger: renewals and moves are fine, a second holder is a duplicate', () => {
  const l = new LeaseLedger();
  l.add('a', '198.19.0.10');
  l.add('a', '198.19.0.10');
  l.add('b', '198.19.0.11');
  l.add('a', '198.19.0.12'); // a moves: .10 is free again
  l.add('c', '198.19.0.10');
  assert.deepEqual(l.duplicates, []);
  l.add('d', '198.19.0.11');
  assert.deepEqual(l.duplicates, [{ address: '198.19.0.11', holder: 'b', other: 'd' }]);
  assert.equal(l.size, 4);
});
