import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { addressOf, libc } from './libc.js';
import { Udp4Batch } from './udp4-batch.js';
import { openUdp4, sockaddrIn, sockaddrPort } from './udp4-libc.js';

test('a batch sends head + payload slice datagrams in order, flushing itself when full', async () => {
  const receiver = createSocket('udp4');
  await new Promise<void>((r) => receiver.bind(0, '127.0.0.1', r));
  const got: Buffer[] = [];
  const all = new Promise<void>((resolve) =>
    receiver.on('message', (m) => {
      got.push(m);
      if (got.length === 3) resolve();
    }),
  );
  const sender = openUdp4('127.0.0.1', null);
  assert.ok(sender.ok);
  try {
    assert.ok(sockaddrPort(sender.local) > 0, 'bound to a real port');
    const payload = Buffer.from(new SharedArrayBuffer(1000));
    for (let i = 0; i < payload.length; i++) payload[i] = i & 0xff;
    const at = addressOf(payload);
    const peer = sockaddrIn('127.0.0.1', receiver.address().port);
    assert.ok(peer);
    const batch = new Udp4Batch(2);
    batch.add(sender.fd, peer, 0x00030001, at, 10);
    batch.add(sender.fd, peer, 0x00030002, at + 10, 0);
    assert.equal(got.length, 0, 'nothing leaves before the flush');
    batch.add(sender.fd, peer, 0x0003ffff, at + 500, 500); // the batch is full: the first two go now
    assert.equal(batch.count, 1);
    assert.equal(batch.flush(sender.fd, peer), 1);
    await all;
    assert.deepEqual(got[0], Buffer.concat([Buffer.from([0, 3, 0, 1]), payload.subarray(0, 10)]));
    assert.deepEqual(got[1], Buffer.from([0, 3, 0, 2]));
    assert.deepEqual(got[2], Buffer.concat([Buffer.from([0, 3, 0xff, 0xff]), payload.subarray(500, 1000)]));
  } finally {
    libc().close(sender.fd);
    receiver.close();
  }
});

test('sockaddrIn refuses what is not a dotted quad and port', () => {
  assert.equal(sockaddrIn('198.18.0.256', 69), null);
  assert.equal(sockaddrIn('fe80::1', 69), null);
  assert.equal(sockaddrIn('1.2.3', 69), null);
  assert.equal(sockaddrIn('1.2.3.4', 70000), null);
  assert.deepEqual([...(sockaddrIn('198.18.0.2', 69) ?? [])].slice(0, 8), [2, 0, 0, 69, 198, 18, 0, 2]);
});

test('openUdp4 reports a port range with no free port', () => {
  const first = openUdp4('127.0.0.1', null);
  assert.ok(first.ok);
  try {
    const port = sockaddrPort(first.local);
    const second = openUdp4('127.0.0.1', { start: port, end: port });
    assert.equal(second.ok, false);
    assert.match(second.ok ? '' : second.error, /EADDRINUSE/);
  } finally {
    libc().close(first.fd);
  }
});
