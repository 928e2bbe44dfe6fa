import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { socketFd } from './bind-device.js';
import { UdpOutbox } from './udp-outbox.js';

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
    const outbox = new UdpOutbox(socketFd(sender), { capacity: 8, slotBytes: 600 });
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
    const outbox = new UdpOutbox(socketFd(sender), { capacity: 4, slotBytes: 100 });
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
    const outbox = new UdpOutbox(socketFd(sender), { capacity: 8, slotBytes: 100 });
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


test('a callback that queues again gets its own result later; the batch it ran in is not disturbed', async () => {
  const sender = await bound();
  const peer = await bound();
  try {
    const outbox = new UdpOutbox(socketFd(sender), { capacity: 4, slotBytes: 100 });
    const arrived = collect(peer, 6);
    const log: string[] = [];
    const port = peer.address().port;
    const again = (name: string) => (err: Error | null) => log.push(`${name}:${err === null ? 'sent' : 'failed'}`);
    for (const name of ['old0', 'old1', 'old2']) {
      outbox.queue(Buffer.from(name), port, '127.0.0.1', (err) => {
        again(name)(err);
        // Each callback queues two more: more than the slots handled so far.
        if (name === 'old0') for (const n of ['new0', 'new1', 'new2']) outbox.queue(Buffer.from(n), port, '127.0.0.1', again(n));
      });
    }
    outbox.flush();
    assert.deepEqual(log, ['old0:sent', 'old1:sent', 'old2:sent'], 'each old callback once, with its own result');
    assert.equal(outbox.pending, 3, 'the new datagrams wait for their own flush');
    outbox.flush();
    assert.deepEqual(log.slice(3), ['new0:sent', 'new1:sent', 'new2:sent']);
    assert.deepEqual((await arrived).map((g) => g.data.toString()), ['old0', 'old1', 'old2', 'new0', 'new1', 'new2']);
  } finally {
    sender.close();
    peer.close();
  }
});

test('a callback that queues a whole batch (flushing it from inside the flush) loses no other callback', async () => {
  const sender = await bound();
  const peer = await bound();
  try {
    const outbox = new UdpOutbox(socketFd(sender), { capacity: 2, slotBytes: 100 });
    const port = peer.address().port;
    const arrived = collect(peer, 6);
    const log: string[] = [];
    const note = (name: string) => (err: Error | null) => log.push(`${name}:${err === null ? 'sent' : 'failed'}`);
    outbox.queue(Buffer.from('a'), port, '127.0.0.1', (err) => {
      note('a')(err);
      // Three more into a two-slot outbox: the third flushes the first two at once.
      for (const n of ['x', 'y', 'z']) outbox.queue(Buffer.from(n), port, '127.0.0.1', note(n));
    });
    outbox.queue(Buffer.from('b'), port, '127.0.0.1', note('b'));
    outbox.flush();
    outbox.flush();
    assert.deepEqual(log.sort(), ['a:sent', 'b:sent', 'x:sent', 'y:sent', 'z:sent']);
    outbox.queue(Buffer.from('c'), port, '127.0.0.1', null);
    outbox.flush();
    assert.deepEqual((await arrived).map((g) => g.data.toString()).sort(), ['a', 'b', 'c', 'x', 'y', 'z']);
  } finally {
    sender.close();
    peer.close();
  }
});

test('a callback that throws is reported; the other callbacks still run', async () => {
  const sender = await bound();
  const peer = await bound();
  try {
    const thrown: unknown[] = [];
    const outbox = new UdpOutbox(socketFd(sender), { capacity: 4, slotBytes: 100, onCallbackError: (err) => thrown.push(err) });
    const ran: string[] = [];
    outbox.queue(Buffer.from('a'), peer.address().port, '127.0.0.1', () => {
      throw new Error('listener bug');
    });
    outbox.queue(Buffer.from('b'), peer.address().port, '127.0.0.1', () => ran.push('b'));
    outbox.flush();
    assert.deepEqual(ran, ['b']);
    assert.match(String(thrown[0]), /listener bug/);
  } finally {
    sender.close();
    peer.close();
  }
});

test('a full send buffer (EAGAIN) hands the rest over in order, bytes and peer intact, instead of losing it', async () => {
  const sender = await bound();
  try {
    const handed: string[] = [];
    let calls = 0;
    const outbox = new UdpOutbox(socketFd(sender), {
      capacity: 8,
      slotBytes: 100,
      // The kernel takes three, then says its buffer is full.
      sendmmsg: () => (calls++ === 0 ? 3 : -11),
      overflow: (data, port, address, done) => {
        handed.push(`${data.toString()}→${address}:${port}`);
        done?.(null);
      },
    });
    const results: string[] = [];
    for (let i = 0; i < 6; i++) outbox.queue(Buffer.from(`d${i}`), 6700 + i, `198.18.0.${10 + i}`, (err) => results.push(`d${i}:${err === null ? 'ok' : err.message}`));
    outbox.flush();
    assert.deepEqual(handed, ['d3→198.18.0.13:6703', 'd4→198.18.0.14:6704', 'd5→198.18.0.15:6705']);
    assert.deepEqual(results.sort(), ['d0:ok', 'd1:ok', 'd2:ok', 'd3:ok', 'd4:ok', 'd5:ok']);
    assert.equal(calls, 2);
  } finally {
    sender.close();
  }
});

test('without an overflow, EAGAIN fails each remaining datagram on its own callback', async () => {
  const sender = await bound();
  try {
    const outbox = new UdpOutbox(socketFd(sender), { capacity: 8, slotBytes: 100, sendmmsg: () => -11 });
    const results: string[] = [];
    for (let i = 0; i < 2; i++) outbox.queue(Buffer.from(`d${i}`), 67, '198.18.0.1', (err) => results.push(err?.message ?? 'ok'));
    outbox.flush();
    assert.deepEqual(results, ['sendmmsg: EAGAIN', 'sendmmsg: EAGAIN']);
  } finally {
    sender.close();
  }
});
