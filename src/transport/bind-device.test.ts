import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { bindToDevice, BindDeviceError, socketFd } from './bind-device.js';

const root = process.getuid?.() === 0;

function boundSocket(): Promise<ReturnType<typeof createSocket>> {
  const s = createSocket('udp4');
  return new Promise((resolve) => s.bind(0, '127.0.0.1', () => resolve(s)));
}

test('socketFd finds the descriptor of a bound socket without the deprecated getter', async () => {
  const s = await boundSocket();
  let warned = false;
  const onWarning = (): void => {
    warned = true;
  };
  process.on('warning', onWarning);
  try {
    assert.ok(socketFd(s) > 2);
  } finally {
    process.off('warning', onWarning);
    s.close();
  }
  await new Promise((r) => setImmediate(r));
  assert.equal(warned, false);
});

test('an unbound socket has no descriptor yet', () => {
  const s = createSocket('udp4');
  assert.throws(() => socketFd(s), BindDeviceError);
  s.close();
});

test('rejects interface names the kernel cannot hold', async () => {
  const s = await boundSocket();
  try {
    assert.throws(() => bindToDevice(s, ''), { code: 'EINVAL' });
    assert.throws(() => bindToDevice(s, 'x'.repeat(16)), { code: 'EINVAL' });
  } finally {
    s.close();
  }
});

test('binds to lo and still receives loopback traffic', { skip: !root && 'needs root' }, async () => {
  const s = await boundSocket();
  try {
    bindToDevice(s, 'lo');
    const got = new Promise<string>((resolve) => s.once('message', (m) => resolve(m.toString())));
    const c = createSocket('udp4');
    c.send('hi', s.address().port, '127.0.0.1', () => c.close());
    assert.equal(await got, 'hi');
  } finally {
    s.close();
  }
});

test('a missing interface fails with ENODEV', { skip: !root && 'needs root' }, async () => {
  const s = await boundSocket();
  try {
    assert.throws(() => bindToDevice(s, 'bfnosuchif0'), (err: unknown) => {
      assert.ok(err instanceof BindDeviceError);
      assert.equal(err.code, 'ENODEV');
      assert.match(err.message, /bfnosuchif0/);
      return true;
    });
  } finally {
    s.close();
  }
});
