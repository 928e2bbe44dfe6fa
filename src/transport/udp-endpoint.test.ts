import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { UdpEndpoint } from './udp-endpoint.js';

const root = process.getuid?.() === 0;

test('the receive buffer asked for is applied to the bound socket', { skip: !root && 'SO_BINDTODEVICE needs root' }, async () => {
  const asked = 1024 * 1024;
  const sized = await UdpEndpoint.open({ device: 'lo', port: 0, address: '127.0.0.1', recvBufferBytes: asked }, () => {}, () => {});
  const plain = await UdpEndpoint.open({ device: 'lo', port: 0, address: '127.0.0.1' }, () => {}, () => {});
  try {
    // Linux doubles the granted size (bookkeeping overhead); 1 MiB is under any sane rmem_max.
    assert.equal(sized.recvBufferSize(), 2 * asked);
    assert.ok(plain.recvBufferSize() < 2 * asked, `default ${plain.recvBufferSize()} should be below what was asked`);
  } finally {
    await sized.close();
    await plain.close();
  }
});

test('a size above net.core.rmem_max is capped, not refused, and the socket still receives', { skip: !root && 'SO_BINDTODEVICE needs root' }, async () => {
  let onData: (d: Buffer) => void = () => {};
  const arrived = new Promise<Buffer>((resolve) => (onData = resolve));
  const ep = await UdpEndpoint.open({ device: 'lo', port: 0, address: '127.0.0.1', recvBufferBytes: 1 << 30 }, (d) => onData(d), () => {});
  const s = createSocket('udp4');
  try {
    assert.ok(ep.recvBufferSize() < 2 * (1 << 30));
    s.send(Buffer.from('ping'), ep.port, '127.0.0.1');
    assert.equal((await arrived).toString(), 'ping');
  } finally {
    s.close();
    await ep.close();
  }
});

/** Posts `count` datagrams in one turn to a receiver whose queue holds far fewer; counts what arrives. */
async function burstInto(pace: { perMs: number; maxSpreadMs: number } | undefined, count: number): Promise<number> {
  const receiver = createSocket('udp4');
  await new Promise<void>((resolve) => receiver.bind(0, '127.0.0.1', () => resolve()));
  // ≈ 64 KiB asked (128 KiB granted): room for a hundred or so datagrams, not for the burst.
  receiver.setRecvBufferSize(64 * 1024);
  let arrived = 0;
  receiver.on('message', () => arrived++);
  const ep = await UdpEndpoint.open({ device: 'lo', port: 0, address: '127.0.0.1', ...(pace ? { pace } : {}) }, () => {}, () => {});
  try {
    const payload = Buffer.alloc(300, 7);
    let settled = 0;
    for (let i = 0; i < count; i++) ep.post(payload, receiver.address().port, '127.0.0.1', () => settled++);
    const end = Date.now() + 3000;
    while ((settled < count || arrived < settled) && Date.now() < end) {
      const before = arrived;
      await new Promise((r) => setTimeout(r, 20));
      if (settled === count && arrived === before) break;
    }
    return arrived;
  } finally {
    await ep.close();
    receiver.close();
  }
}

test('paced, a burst of 2 000 reaches a receiver that holds a hundred; unpaced, the same burst overflows it', { skip: !root && 'SO_BINDTODEVICE needs root' }, async () => {
  const paced = await burstInto({ perMs: 32, maxSpreadMs: 200 }, 2000);
  const unpaced = await burstInto(undefined, 2000);
  assert.equal(paced, 2000);
  assert.ok(unpaced < 2000, `unpaced: ${unpaced} of 2000 arrived (the test's receiver must be too small for the burst)`);
});
