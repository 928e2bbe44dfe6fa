import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import fc from 'fast-check';
import { socketFd } from './bind-device.js';
import { UdpOutbox, ipv4Number } from './udp-outbox.js';

async function bound(): Promise<Socket> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  return s;
}

function collect(s: Socket, count: number): Promise<{ data: Buffer; port: number }[]> {
  const got: { data: Buffer; port: number }[] = [];
  return new Promise((resolve) => {
    s.on('message', (data, from) => {
      got.push({ data, port: from.port });
      if (got.length === count) resolve(got);
    });
  });
}

test('datagrams queued in one turn leave together at its end, each to its own peer, bytes intact', async () => {
  const sender = await bound();
  const a = await bound();
  const b = await bound();
  try {
    const outbox = new UdpOutbox(socketFd(sender), 8, 600);
    const toA = collect(a, 10);
    const toB = collect(b, 1);
    const results: (Error | null)[] = [];
    for (let i = 0; i < 10; i++) {
      assert.equal(outbox.queue(Buffer.from(`to a #${i}`), a.address().port, '127.0.0.1', (err) => results.push(err)), true);
    }
    // The 9th queued datagram flushed the first 8 (a full outbox leaves at once).
    assert.equal(outbox.pending, 2);
    assert.equal(outbox.queue(Buffer.alloc(600, 7), b.address().port, '127.0.0.1', (err) => results.push(err)), true);
    assert.equal(outbox.pending, 3, 'the rest waits for the end of the turn');
    const [gotA, gotB] = await Promise.all([toA, toB]);
    assert.deepEqual(gotA.map((g) => g.data.toString()), Array.from({ length: 10 }, (_, i) => `to a #${i}`));
    assert.ok(gotA.every((g) => g.port === sender.address().port), 'sent from the socket given');
    assert.deepEqual(gotB[0]?.data, Buffer.alloc(600, 7));
    assert.deepEqual(results, new Array(11).fill(null));
    assert.equal(outbox.pending, 0);
  } finally {
    for (const s of [sender, a, b]) s.close();
  }
});

test('what does not fit a slot or has no dotted-quad address is refused, for the caller to send otherwise', async () => {
  const sender = await bound();
  try {
    const outbox = new UdpOutbox(socketFd(sender), 4, 100);
    assert.equal(outbox.queue(Buffer.alloc(101), 67, '127.0.0.1', null), false);
    assert.equal(outbox.queue(Buffer.alloc(10), 67, 'localhost', null), false);
    assert.equal(outbox.queue(Buffer.alloc(10), 70000, '127.0.0.1', null), false);
    assert.equal(outbox.pending, 0);
  } finally {
    sender.close();
  }
});

test('a datagram the kernel refuses is reported to its own callback; the others still leave', async () => {
  const sender = await bound();
  const peer = await bound();
  try {
    const outbox = new UdpOutbox(socketFd(sender), 8, 100);
    const arrived = collect(peer, 2);
    const results: string[] = [];
    const note = (what: string) => (err: Error | null) => results.push(`${what}: ${err === null ? 'sent' : err.message}`);
    outbox.queue(Buffer.from('one'), peer.address().port, '127.0.0.1', note('one'));
    // A socket bound to 127.0.0.1 cannot send to a broadcast address without SO_BROADCAST (EACCES).
    outbox.queue(Buffer.from('refused'), 9, '255.255.255.255', note('refused'));
    outbox.queue(Buffer.from('two'), peer.address().port, '127.0.0.1', note('two'));
    outbox.flush();
    assert.deepEqual((await arrived).map((g) => g.data.toString()), ['one', 'two']);
    assert.equal(results[0], 'one: sent');
    assert.match(results[1] ?? '', /^refused: sendmmsg: EACCES/);
    assert.equal(results[2], 'two: sent');
  } finally {
    sender.close();
    peer.close();
  }
});

test('ipv4Number reads dotted quads and nothing else', () => {
  assert.equal(ipv4Number('255.255.255.255'), 0xffffffff);
  assert.equal(ipv4Number('198.18.0.1'), (198 << 24 >>> 0) + (18 << 16) + 1);
  for (const bad of ['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1..2.3', 'a.b.c.d', '1.2.3.4 ', '.1.2.3']) assert.equal(ipv4Number(bad), -1, bad);
  fc.assert(
    fc.property(fc.ipV4(), (ip) => ipv4Number(ip) === ip.split('.').reduce((v, p) => v * 256 + Number(p), 0)),
  );
  fc.assert(fc.property(fc.string(), (s) => { const n = ipv4Number(s); return n === -1 || (n >= 0 && n <= 0xffffffff); }));
});
