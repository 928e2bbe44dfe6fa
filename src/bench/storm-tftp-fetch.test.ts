/**
 * The storm's TFTP client against a scripted in-process server on loopback (ephemeral ports,
 * never 69, nothing on a wire): EDK2's window request and its ERROR 8 fallback, recovery
 * from a lost block inside a window, wrong bytes, silence.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { decodeTftp, encodeData, encodeOack } from '../wire/tftp/codec.js';
import { Opcode, type TftpOption } from '../wire/tftp/packet.js';
import { tftpFetch, type TftpFetchOptions } from './storm-tftp-fetch.js';

interface Script {
  /** Put windowsize in the OACK when the client asks for it. */
  offerWindow: boolean;
  /** Leave this block out the first time it would be sent (a loss). */
  dropOnce?: number;
  /** Send this block with one byte flipped. */
  corrupt?: number;
  /** Answer nothing at all. */
  silent?: boolean;
}

interface FakeServer {
  port: number;
  requests: TftpOption[][];
  /** Error codes clients sent to a transfer. */
  errors: number[];
  close(): void;
}

async function fakeServer(file: Buffer, script: Script): Promise<FakeServer> {
  const listener = dgram.createSocket('udp4');
  const transfers: dgram.Socket[] = [];
  const out: FakeServer = { port: 0, requests: [], errors: [], close: () => [listener, ...transfers].forEach((s) => s.close()) };
  let dropped = false;
  listener.on('message', (msg, from) => {
    const d = decodeTftp(msg);
    if (script.silent || !d.ok || d.packet.opcode !== Opcode.Rrq) return;
    const asked = d.packet.options;
    out.requests.push(asked);
    const get = (n: string): string | undefined => asked.find(([k]) => k === n)?.[1];
    const blksize = Number(get('blksize') ?? '512');
    const window = script.offerWindow && get('windowsize') !== undefined ? Number(get('windowsize')) : 1;
    const oack: TftpOption[] = [['blksize', String(blksize)]];
    if (get('tsize') !== undefined) oack.push(['tsize', String(file.length)]);
    if (window > 1) oack.push(['windowsize', String(window)]);
    const t = dgram.createSocket('udp4');
    transfers.push(t);
    const blocks = Math.floor(file.length / blksize) + 1;
    const send = (block: number): void => {
      if (block > blocks) return;
      if (block === script.dropOnce && !dropped) {
        dropped = true;
        return;
      }
      const data = Buffer.from(file.subarray((block - 1) * blksize, block * blksize));
      if (block === script.corrupt) data[0] = data[0]! ^ 0xff;
      t.send(encodeData(block, data), from.port, from.address);
    };
    t.on('message', (m) => {
      const p = decodeTftp(m);
      if (!p.ok) return;
      if (p.packet.opcode === Opcode.Error) out.errors.push(p.packet.code);
      if (p.packet.opcode === Opcode.Ack) for (let b = p.packet.block + 1; b <= p.packet.block + window; b++) send(b);
    });
    t.bind(0, '127.0.0.1', () => t.send(encodeOack(oack), from.port, from.address));
  });
  await new Promise<void>((r) => listener.bind(0, '127.0.0.1', r));
  out.port = listener.address().port;
  return out;
}

const file = randomBytes(1468 * 10 + 100);

function options(server: FakeServer, over: Partial<TftpFetchOptions> = {}): TftpFetchOptions {
  return { localAddress: '127.0.0.1', server: '127.0.0.1', port: server.port, file: 'loader.bin', blksize: 1468, windowsize: 4, expected: file, timeoutMs: 200, maxTimeoutMs: 400, tries: 4, ...over };
}

test('EDK2-like: asks tsize, blksize and a window; runs windowed when the server offers it', async () => {
  const s = await fakeServer(file, { offerWindow: true });
  try {
    const r = await tftpFetch(options(s));
    assert.deepEqual(r, { ok: true, retransmits: 0, windowsize: 4 });
    assert.deepEqual(s.requests, [[['tsize', '0'], ['blksize', '1468'], ['windowsize', '4']]]);
  } finally {
    s.close();
  }
});

test('no window in the OACK: ERROR 8 to that transfer, then asks again with blksize only and runs lock-step', async () => {
  const s = await fakeServer(file, { offerWindow: false });
  try {
    const r = await tftpFetch(options(s));
    assert.deepEqual(r, { ok: true, retransmits: 0, windowsize: 1 });
    assert.deepEqual(s.requests, [[['tsize', '0'], ['blksize', '1468'], ['windowsize', '4']], [['blksize', '1468']]]);
    assert.deepEqual(s.errors, [8]);
  } finally {
    s.close();
  }
});

test('a block lost inside a window: the gap is ACKed at once and the server resumes from it', async () => {
  const s = await fakeServer(file, { offerWindow: true, dropOnce: 6 });
  try {
    const r = await tftpFetch(options(s));
    // Recovered by the gap ACK, not by waiting for the client's timer.
    assert.deepEqual(r, { ok: true, retransmits: 0, windowsize: 4 });
  } finally {
    s.close();
  }
});

test('a wrong byte fails the transfer, naming the block', async () => {
  const s = await fakeServer(file, { offerWindow: true, corrupt: 3 });
  try {
    const r = await tftpFetch(options(s));
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : r.error, /^block 3 differs from the file \(offset 2936, 1468 bytes\)$/);
  } finally {
    s.close();
  }
});

test('a silent server: the request is sent again with a growing wait, then the transfer fails', async () => {
  const s = await fakeServer(file, { offerWindow: true, silent: true });
  try {
    const started = Date.now();
    const r = await tftpFetch(options(s, { tries: 3, timeoutMs: 100, maxTimeoutMs: 400 }));
    assert.deepEqual(r, { ok: false, error: 'no reply after 3 tries (block 0)', retransmits: 2 });
    // Waits of 100, 200, 400 ms.
    assert.ok(Date.now() - started >= 650, `${Date.now() - started} ms`);
  } finally {
    s.close();
  }
});
