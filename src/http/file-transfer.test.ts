/**
 * Large-file bodies over real sockets, on both paths: zero-copy (sendfile(2) on the transfer
 * thread) and the streaming fallback (`zeroCopy: false`). Same bytes, same ranges, same
 * behaviour when a client hangs up or stalls; and the transfer thread leaks no descriptor.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { BootEvent } from '../events/boot-event.js';
import { HttpBootServer, ZERO_COPY_MIN_BYTES } from './server.js';

const run = promisify(execFile);
const dir = mkdtempSync(path.join(tmpdir(), 'bootfleet-http-xfer-'));
// Larger than the small-file cache (1 MiB), an odd size so no chunk boundary lines up.
const big = randomBytes(24 * 1024 * 1024 + 4321);
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const bigSha = sha256(big);

before(() => {
  writeFileSync(path.join(dir, 'initrd.img'), big);
  // Sparse: 256 MiB that costs no disk, for clients that stall or hang up.
  writeFileSync(path.join(dir, 'huge.iso'), '');
  truncateSync(path.join(dir, 'huge.iso'), 256 * 1024 * 1024);
});
after(() => rmSync(dir, { recursive: true, force: true }));

function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

async function settle(check: () => boolean, what: string, ms = 5000): Promise<void> {
  for (let waited = 0; waited < ms; waited += 20) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail(`timed out waiting for ${what}`);
}

for (const zeroCopy of [true, false]) {
  const via = zeroCopy ? 'sendfile' : 'stream';
  describe(`file bodies by ${via}`, () => {
    const events: BootEvent[] = [];
    let server: HttpBootServer;
    let base: string;
    const requestEvents = (p: string, since: number): BootEvent[] => events.slice(since).filter((e) => e.kind === 'http.request' && e.data?.path === p);

    before(async () => {
      server = new HttpBootServer({
        address: '127.0.0.1',
        port: 0,
        root: dir,
        zeroCopy,
        idleTimeoutMs: 1500,
        events: { emit: (e) => events.push(e) },
        renderBootScript: () => ({ status: 200, contentType: 'text/plain', body: '' }),
      });
      await server.start();
      base = `http://127.0.0.1:${server.port}`;
    });
    after(async () => server.stop());

    const curl = async (...args: string[]): Promise<string> => (await run('curl', ['--silent', '--show-error', ...args], { encoding: 'utf8' })).stdout;

    test('a whole file through curl has the right checksum, and says how it went', async () => {
      const since = events.length;
      const out = path.join(dir, `download-${via}`);
      assert.equal(await curl('-o', out, '-w', '%{http_code} %{size_download}', `${base}/initrd.img`), `200 ${big.length}`);
      assert.equal(sha256(readFileSync(out)), bigSha);
      await settle(() => requestEvents('/initrd.img', since).length === 1, 'the request event');
      const e = requestEvents('/initrd.img', since)[0];
      assert.equal(e?.data?.via, via);
      assert.equal(e?.data?.bytes, big.length);
      assert.equal(e?.data?.aborted, undefined);
    });

    test('ranges: first byte, first/middle/last bytes, suffixes, open-ended, clamped; past the end is 416', async () => {
      const n = big.length;
      const cases: [string, number, number][] = [
        ['0-0', 0, 1],
        ['0-99', 0, 100],
        ['12345678-13345677', 12345678, 13345678],
        [`${n - 1}-${n - 1}`, n - 1, n],
        ['-1', n - 1, n],
        [`-${ZERO_COPY_MIN_BYTES - 1}`, n - ZERO_COPY_MIN_BYTES + 1, n],
        [`-${ZERO_COPY_MIN_BYTES}`, n - ZERO_COPY_MIN_BYTES, n],
        ['-3000000', n - 3000000, n],
        [`-${n + 5}`, 0, n],
        ['20000000-', 20000000, n],
        [`${n - 10}-${n + 1000}`, n - 10, n],
      ];
      for (const [range, from, to] of cases) {
        const since = events.length;
        const out = path.join(dir, `range-${via}`);
        const head = await curl('-r', range, '-o', out, '-D', '-', `${base}/initrd.img`);
        assert.match(head, /^HTTP\/1.1 206/, range);
        assert.match(head, new RegExp(`^Content-Range: bytes ${from}-${to - 1}/${n}\\r$`, 'mi'), range);
        assert.ok(readFileSync(out).equals(big.subarray(from, to)), range);
        // Short bodies stream on either path; the rest take this describe's path.
        await settle(() => requestEvents('/initrd.img', since).length === 1, 'the request event');
        assert.equal(requestEvents('/initrd.img', since)[0]?.data?.via, to - from >= ZERO_COPY_MIN_BYTES ? via : 'stream', range);
      }
      assert.equal(await curl('-r', `${n}-`, '-o', '/dev/null', '-w', '%{http_code}', `${base}/initrd.img`), '416');
    });

    test('keep-alive: two large bodies on one connection, both intact', async () => {
      const a = path.join(dir, `ka-a-${via}`);
      const b = path.join(dir, `ka-b-${via}`);
      const out = await curl('-o', a, '-o', b, '-w', '%{num_connects} ', `${base}/initrd.img`, `${base}/initrd.img`);
      assert.equal(out.trim(), '1 0');
      assert.equal(sha256(readFileSync(a)), bigSha);
      assert.equal(sha256(readFileSync(b)), bigSha);
    });

    test('keep-alive: a small response after a large body is not held back (the cork is lifted)', async () => {
      // TCP_CORK holds a partial segment for up to 200 ms; a cork left on after the transfer
      // would delay every short answer on the connection by that much. Best of three, for noise.
      const times: number[] = [];
      await new Promise<void>((resolve, reject) => {
        const socket = net.connect(server.port, '127.0.0.1', () => socket.write('GET /initrd.img HTTP/1.1\r\nHost: t\r\n\r\n'));
        let buf = Buffer.alloc(0);
        let phase = 0;
        let sentAt = 0;
        const askSmall = (): void => {
          sentAt = performance.now();
          socket.write('GET /boot.ipxe HTTP/1.1\r\nHost: t\r\n\r\n');
        };
        socket.on('data', (d) => {
          buf = Buffer.concat([buf, d]);
          const headEnd = buf.indexOf('\r\n\r\n');
          if (headEnd < 0) return;
          const length = Number(/content-length: (\d+)/i.exec(buf.subarray(0, headEnd).toString('latin1'))?.[1]);
          if (buf.length < headEnd + 4 + length) return;
          if (phase > 0) times.push(performance.now() - sentAt);
          buf = buf.subarray(headEnd + 4 + length);
          if (phase++ === 3) {
            socket.destroy();
            resolve();
          } else askSmall();
        });
        socket.on('error', reject);
      });
      assert.equal(times.length, 3);
      assert.ok(Math.min(...times) < 150, `small answers took ${times.map((t) => t.toFixed(0)).join('/')} ms`);
    });

    test('pipelined range requests are answered in order with the right bytes', async () => {
      const ranges: [number, number][] = [
        [0, 2_000_000],
        [5_000_000, 5_000_100],
        [big.length - 3_000_000, big.length - 1],
      ];
      const reply = await new Promise<Buffer>((resolve, reject) => {
        const chunks: Buffer[] = [];
        const socket = net.connect(server.port, '127.0.0.1', () => {
          const reqs = ranges.map(([s, e], i) => `GET /initrd.img HTTP/1.1\r\nHost: t\r\nRange: bytes=${s}-${e}\r\n${i === ranges.length - 1 ? 'Connection: close\r\n' : ''}\r\n`);
          socket.write(reqs.join(''));
        });
        socket.on('data', (d) => chunks.push(d));
        socket.on('end', () => resolve(Buffer.concat(chunks)));
        socket.on('error', reject);
      });
      let at = 0;
      for (const [s, e] of ranges) {
        const headEnd = reply.indexOf('\r\n\r\n', at);
        const head = reply.subarray(at, headEnd).toString('latin1');
        assert.match(head, /^HTTP\/1.1 206/);
        assert.match(head, new RegExp(`Content-Range: bytes ${s}-${e}/${big.length}`));
        const body = reply.subarray(headEnd + 4, headEnd + 4 + (e - s + 1));
        assert.ok(body.equals(big.subarray(s, e + 1)), `${s}-${e}`);
        at = headEnd + 4 + (e - s + 1);
      }
      assert.equal(at, reply.length);
    });

    test('a client that hangs up mid-file: aborted, not an error; no descriptor left behind', async () => {
      const fdsBefore = openFds();
      const since = events.length;
      for (let i = 0; i < 3; i++) {
        await new Promise<void>((resolve, reject) => {
          let got = 0;
          const socket = net.connect(server.port, '127.0.0.1', () => socket.write('GET /huge.iso HTTP/1.1\r\nHost: t\r\n\r\n'));
          socket.on('data', (d) => {
            got += d.length;
            if (got > 4 * 1024 * 1024) {
              socket.destroy();
              resolve();
            }
          });
          socket.on('error', reject);
        });
      }
      await settle(() => requestEvents('/huge.iso', since).length === 3, 'three request events');
      for (const e of requestEvents('/huge.iso', since)) {
        assert.equal(e.data?.aborted, true);
        assert.ok(Number(e.data?.bytes) < 256 * 1024 * 1024);
      }
      assert.ok(!events.slice(since).some((x) => x.kind === 'http.error'));
      await settle(() => openFds() <= fdsBefore, `descriptors back to ${fdsBefore}`);
      assert.equal(await curl('-o', '/dev/null', '-w', '%{http_code}', `${base}/initrd.img`), '200');
    });

    test('a client that stops reading is cut off after the idle timeout', async () => {
      const since = events.length;
      const started = Date.now();
      const socket = net.connect(server.port, '127.0.0.1', () => {
        socket.write('GET /huge.iso HTTP/1.1\r\nHost: t\r\n\r\n');
        // Never read: the socket buffers fill and the server sees no progress.
        socket.pause();
      });
      socket.on('error', () => {});
      try {
        await settle(() => requestEvents('/huge.iso', since).length === 1, 'the request event', 10_000);
      } finally {
        socket.destroy();
      }
      const e = requestEvents('/huge.iso', since)[0];
      assert.equal(e?.data?.aborted, true);
      assert.ok(Date.now() - started >= 1400, 'not before the idle timeout');
      assert.ok(!events.slice(since).some((x) => x.kind === 'http.error'));
    });
  });
}

/**
 * A client that asks for the huge file and stops reading after the first bytes: the transfer is
 * under way and blocked on it (the thread holding its descriptors). `closed` resolves when the
 * server ends the connection.
 */
async function stalledDownload(port: number): Promise<{ client: net.Socket; closed: Promise<void> }> {
  const client = net.connect(port, '127.0.0.1', () => client.write('GET /huge.iso HTTP/1.1\r\nHost: t\r\n\r\n'));
  client.once('data', () => client.pause());
  client.on('error', () => {});
  const closed = new Promise<void>((resolve) => client.on('close', () => resolve()));
  await new Promise((r) => setTimeout(r, 300));
  return { client, closed };
}

test('stop() ends transfers under way and the transfer thread', async () => {
  const server = new HttpBootServer({ address: '127.0.0.1', port: 0, root: dir, events: { emit() {} }, renderBootScript: () => ({ status: 200, contentType: 'text/plain', body: '' }) });
  await server.start();
  const fdsBefore = openFds();
  const { client, closed } = await stalledDownload(server.port);
  await server.stop();
  // Reading again, the client finds the connection closed by the server.
  client.resume();
  await closed;
  await settle(() => openFds() <= fdsBefore, `descriptors back to ${fdsBefore}`);
});

test('the transfer thread dying mid-transfer: the client is let go, no descriptor is left, later files stream', async () => {
  const events: BootEvent[] = [];
  const server = new HttpBootServer({ address: '127.0.0.1', port: 0, root: dir, events: { emit: (e) => events.push(e) }, renderBootScript: () => ({ status: 200, contentType: 'text/plain', body: '' }) });
  await server.start();
  try {
    const fdsBefore = openFds();
    const { client, closed } = await stalledDownload(server.port);
    // Reaching into the server for its thread is the only way to make it die as a crash would.
    const sender = (server as unknown as { zeroCopy: { thread: { worker: { terminate(): Promise<number> } } | null } }).zeroCopy;
    assert.ok(sender.thread, 'the transfer thread is running');
    await sender.thread.worker.terminate();
    client.resume();
    await closed;
    await settle(() => openFds() <= fdsBefore, `descriptors back to ${fdsBefore}`);
    const got = await run('curl', ['--silent', '--show-error', `http://127.0.0.1:${server.port}/initrd.img`], { encoding: 'buffer', maxBuffer: 64 << 20 });
    assert.equal(sha256(got.stdout), bigSha);
    await settle(() => events.some((e) => e.kind === 'http.request' && e.data?.path === '/initrd.img'), 'the request event');
    assert.equal(events.find((e) => e.kind === 'http.request' && e.data?.path === '/initrd.img')?.data?.via, 'stream');
  } finally {
    await server.stop();
  }
});

test('the transfer thread stops when idle and starts again for the next large file', async () => {
  const events: BootEvent[] = [];
  const server = new HttpBootServer({ address: '127.0.0.1', port: 0, root: dir, transferThreadIdleMs: 300, events: { emit: (e) => events.push(e) }, renderBootScript: () => ({ status: 200, contentType: 'text/plain', body: '' }) });
  await server.start();
  const threads = (): number => readdirSync('/proc/self/task').length;
  const sender = (server as unknown as { zeroCopy: { threadRunning: boolean } }).zeroCopy;
  try {
    const fdsBefore = openFds();
    const threadsBefore = threads();
    const get = async (): Promise<void> => {
      const got = await run('curl', ['--silent', '--show-error', `http://127.0.0.1:${server.port}/initrd.img`], { encoding: 'buffer', maxBuffer: 64 << 20 });
      assert.equal(sha256(got.stdout), bigSha);
    };
    await get();
    assert.ok(sender.threadRunning, 'started by the transfer');
    await settle(() => !sender.threadRunning && threads() <= threadsBefore, 'the idle thread to stop', 5000);
    await settle(() => openFds() <= fdsBefore, `descriptors back to ${fdsBefore}`);
    await get();
    const vias = events.filter((e) => e.kind === 'http.request' && e.data?.path === '/initrd.img').map((e) => e.data?.via);
    assert.deepEqual(vias, ['sendfile', 'sendfile']);
  } finally {
    await server.stop();
  }
});
