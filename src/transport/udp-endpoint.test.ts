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
