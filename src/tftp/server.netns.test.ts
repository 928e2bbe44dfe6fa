/**
 * The TFTP server over real sockets with real clients (tftp-hpa, atftp, curl) and the
 * scriptable lab client, all inside network namespaces this test creates:
 * server 198.18.69.1 in one, clients 198.18.69.2 in the other, joined by a veth pair.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { canUseNetns, destroyAll, Netns, vethPair } from '../lab/netns.js';
import type { LabClientResult, LabClientSpec } from './lab-client.js';
import type { TftpStats } from './server.js';

const SERVER = '198.18.69.1';
const here = path.dirname(fileURLToPath(import.meta.url));
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

interface ServerEvent {
  kind: string;
  level: string;
  data?: Record<string, string | number | boolean | null>;
}

describe('TFTP server in a network namespace', { skip: !canUseNetns() && 'needs root and iproute2' }, () => {
  let dir = '';
  let root = '';
  let extra = '';
  let out = '';
  let serverNs: Netns;
  let clientNs: Netns;
  const events: ServerEvent[] = [];
  let statsWaiters: ((s: TftpStats) => void)[] = [];
  let sendLine: (line: string) => void = () => {};
  const files = new Map<string, Buffer>();
  let outCounter = 0;

  function addFile(name: string, content: Buffer): void {
    writeFileSync(path.join(root, name), content);
    files.set(name, content);
  }

  function stats(): Promise<TftpStats> {
    return new Promise((resolve) => {
      statsWaiters.push(resolve);
      sendLine('stats');
    });
  }

  /** Stats once `ready` holds (the server may still be reading a client's last datagram), or the last seen after 3 s. */
  async function statsWhen(ready: (s: TftpStats) => boolean): Promise<TftpStats> {
    const deadline = Date.now() + 3000;
    for (;;) {
      const s = await stats();
      if (ready(s) || Date.now() > deadline) return s;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Runs a command in the client namespace without blocking this process. */
  function inClient(cmd: string, args: string[], timeoutMs = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = clientNs.spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => void clientNs.stop(child, 'SIGKILL'), timeoutMs);
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
  }

  async function lab(spec: Omit<LabClientSpec, 'server' | 'port'>): Promise<LabClientResult> {
    const r = await inClient('node', [path.join(here, 'lab-client.js'), JSON.stringify({ server: SERVER, port: 69, ...spec })]);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as LabClientResult;
  }

  function outPath(): string {
    return path.join(out, `out-${outCounter++}`);
  }

  async function curl(name: string, blksize?: number, extraArgs: string[] = []): Promise<{ code: number | null; file: string; stderr: string }> {
    const file = outPath();
    const args = ['-sS', '--max-time', '60', ...(blksize ? ['--tftp-blksize', String(blksize)] : []), ...extraArgs, `tftp://${SERVER}/${name}`, '-o', file];
    const r = await inClient('curl', args);
    return { code: r.code, file, stderr: r.stderr };
  }

  /**
   * The server's last `tftp.done` for `file` since `after` events. The client can exit
   * before the server has read its final ACK and printed the event, so poll briefly.
   */
  async function doneEvent(file: string, after = 0): Promise<ServerEvent | undefined> {
    const deadline = Date.now() + 3000;
    for (;;) {
      const found = events.slice(after).filter((e) => e.kind === 'tftp.done' && e.data?.file === file).at(-1);
      if (found || Date.now() > deadline) return found;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async function eventually<T>(probe: () => T | undefined): Promise<T | undefined> {
    const deadline = Date.now() + 3000;
    for (;;) {
      const found = probe();
      if (found !== undefined || Date.now() > deadline) return found;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'bf-tftp-lab-'));
    root = path.join(dir, 'root');
    extra = path.join(dir, 'extra');
    out = path.join(dir, 'out');
    for (const d of [root, extra, out, path.join(root, 'sub')]) mkdirSync(d, { recursive: true });
    addFile('small.txt', Buffer.from('hello from bootfleet\n'.repeat(40)));
    addFile('empty.bin', Buffer.alloc(0));
    for (const bs of [512, 1428, 1468, 8192, 65464]) {
      addFile(`exact-${bs}.bin`, randomBytes(bs * 3));
      addFile(`odd-${bs}.bin`, randomBytes(bs * 7 + 123));
    }
    addFile('medium.bin', randomBytes(2 * 2 ** 20 + 17));
    addFile('dup.bin', randomBytes(512 * 40 + 5));
    addFile('big33.bin', randomBytes(33 * 2 ** 20 + 1000));
    addFile('text.txt', Buffer.from('line one\nline two\r\nbare\rcr\n'));
    writeFileSync(path.join(root, 'sub', 'inner.bin'), files.get('small.txt') ?? '');
    writeFileSync(path.join(extra, 'extra-only.bin'), 'from the extra dir');
    writeFileSync(path.join(dir, 'secret'), 'outside the root');
    symlinkSync('/etc', path.join(root, 'etc'));
    symlinkSync(path.join(dir, 'secret'), path.join(root, 'secret-link'));
    symlinkSync('small.txt', path.join(root, 'inner-link'));

    serverNs = Netns.create('tftps');
    clientNs = Netns.create('tftpc');
    vethPair(serverNs, 'srv0', `${SERVER}/24`, clientNs, 'cli0', '198.18.69.2/24');

    // Generated files and MACs, as the app will wire them from boot/ and the DHCP leases.
    writeFileSync(
      path.join(dir, 'hooks.mjs'),
      [
        "export function virtualFile(name, ip) {",
        "  return name.startsWith('pxelinux.cfg/') ? Buffer.from(`generated ${name} for ${ip}\\n`) : null;",
        "}",
        "export function macFor(ip) { return ip === '198.18.69.2' ? '52:54:00:12:34:56' : undefined; }",
      ].join('\n'),
    );
    const extraDirs = [extra, ...(existsSync('/usr/lib/ipxe') ? ['/usr/lib/ipxe'] : [])];
    const child = serverNs.spawn('node', [
      path.join(here, 'serve-standalone.js'),
      '--address', SERVER,
      '--port', '69',
      '--root', root,
      ...extraDirs.flatMap((d) => ['--extra-dir', d]),
      '--max-blksize', '65464',
      '--max-windowsize', '16',
      '--timeout', '1',
      '--retries', '2',
      // The 100-client test runs every client from one address.
      '--max-transfers-per-client', '128',
      '--log-level', 'debug',
      '--hooks', path.join(dir, 'hooks.mjs'),
    ], { stdio: ['pipe', 'pipe', 'pipe'] });
    sendLine = (line) => child.stdin?.write(line + '\n');
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve, reject) => {
      let buffered = '';
      child.once('exit', (code) => reject(new Error(`server exited (${String(code)}): ${stderr}`)));
      child.stdout?.on('data', (d: Buffer) => {
        buffered += d.toString();
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          if (line.startsWith('ready ')) resolve();
          else if (line.startsWith('event ')) events.push(JSON.parse(line.slice(6)) as ServerEvent);
          else if (line.startsWith('stats ')) {
            const s = JSON.parse(line.slice(6)) as TftpStats;
            const waiters = statsWaiters;
            statsWaiters = [];
            for (const w of waiters) w(s);
          }
        }
      });
    });
  });

  after(async () => {
    await destroyAll();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('tftp-hpa (RFC 1350, no options): small file, empty file, netascii', async () => {
    for (const name of ['small.txt', 'empty.bin', 'dup.bin']) {
      const mark = events.length;
      const file = outPath();
      const r = await inClient('tftp', ['-m', 'binary', SERVER, '-c', 'get', name, file]);
      assert.equal(sha(readFileSync(file)), sha(files.get(name) ?? Buffer.alloc(1)), `${name}: ${r.stdout}${r.stderr}`);
      assert.equal((await doneEvent(name, mark))?.data?.blksize, 512);
    }
    const file = outPath();
    await inClient('tftp', ['-m', 'netascii', SERVER, '-c', 'get', 'text.txt', file]);
    assert.equal(readFileSync(file, 'latin1'), files.get('text.txt')?.toString('latin1'));
  });

  test('curl at blksize 512, 1428, 1468, 8192, 65464: odd sizes and exact multiples', async () => {
    for (const bs of [512, 1428, 1468, 8192, 65464]) {
      for (const name of [`odd-${bs}.bin`, `exact-${bs}.bin`]) {
        const mark = events.length;
        const r = await curl(name, bs);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(sha(readFileSync(r.file)), sha(files.get(name) ?? Buffer.alloc(1)), name);
        assert.equal((await doneEvent(name, mark))?.data?.blksize, bs, `${name} negotiated blksize`);
      }
    }
  });

  test('33 MiB at blksize 512: block numbers wrap past 65535', async () => {
    const mark = events.length;
    const r = await curl('big33.bin', 512);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(sha(readFileSync(r.file)), sha(files.get('big33.bin') ?? Buffer.alloc(1)));
    const done = await doneEvent('big33.bin', mark);
    assert.equal(done?.data?.blksize, 512);
    assert.equal(done?.data?.bytes, 33 * 2 ** 20 + 1000);
  });

  test('atftp with windowsize 8, and 32 clamped to the maximum of 16', async () => {
    for (const [asked, granted] of [[8, 8], [32, 16]] as const) {
      const mark = events.length;
      const file = outPath();
      const r = await inClient('atftp', ['--option', 'blksize 1468', '--option', 'tsize 0', '--option', `windowsize ${asked}`, '-g', '-r', 'medium.bin', '-l', file, SERVER]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(sha(readFileSync(file)), sha(files.get('medium.bin') ?? Buffer.alloc(1)));
      const done = await doneEvent('medium.bin', mark);
      assert.equal(done?.data?.windowsize, granted);
      assert.equal(done?.data?.blksize, 1468);
    }
  });

  test('EDK2-style request: tsize, blksize 1468, windowsize 4 acknowledged; ERROR 8 after OACK is a normal abort', async () => {
    const options: [string, string][] = [['tsize', '0'], ['blksize', '1468'], ['windowsize', '4']];
    const size = files.get('medium.bin')?.length;
    const probe = await lab({ request: { opcode: 'rrq', filename: 'medium.bin', options }, refuseOack: true });
    assert.deepEqual(probe.oack, [['tsize', String(size)], ['blksize', '1468'], ['windowsize', '4']]);
    assert.equal(probe.dataPackets, 0);
    const got = await lab({ request: { opcode: 'rrq', filename: 'medium.bin', options }, idleMs: 100 });
    assert.ok(got.completed);
    assert.equal(got.sha256, sha(files.get('medium.bin') ?? Buffer.alloc(1)));
    assert.equal(got.duplicateData, 0);
    const s = await statsWhen((x) => x.aborted >= 1);
    assert.ok(s.aborted >= 1, JSON.stringify(s));
    const abort = await eventually(() => events.find((e) => e.kind === 'tftp.abort'));
    assert.equal(abort?.level, 'debug');
    assert.ok(events.some((e) => e.kind === 'tftp.request' && e.data?.options === 'tsize=0,blksize=1468,windowsize=4'));
  });

  test('20 concurrent curl clients', async () => {
    const runs = await Promise.all(Array.from({ length: 20 }, () => curl('medium.bin', 1468)));
    const want = sha(files.get('medium.bin') ?? Buffer.alloc(1));
    for (const r of runs) {
      assert.equal(r.code, 0, r.stderr);
      assert.equal(sha(readFileSync(r.file)), want);
    }
    assert.equal((await statsWhen((x) => x.active === 0)).active, 0);
  });

  test('a duplicate ACK never causes a duplicate DATA (lock-step and windowed)', async () => {
    const blocks = Math.floor((files.get('dup.bin')?.length ?? 0) / 512) + 1;
    const lock = await lab({ request: { opcode: 'rrq', filename: 'dup.bin' }, dupAcks: true, idleMs: 500 });
    assert.ok(lock.completed);
    assert.equal(lock.sha256, sha(files.get('dup.bin') ?? Buffer.alloc(1)));
    assert.equal(lock.dataPackets, blocks);
    assert.equal(lock.duplicateData, 0);
    const win = await lab({ request: { opcode: 'rrq', filename: 'dup.bin', options: [['windowsize', '4']] }, dupAcks: true, idleMs: 500 });
    assert.ok(win.completed);
    assert.equal(win.dataPackets, blocks);
  });

  test('a packet from a wrong TID gets ERROR 5 and the transfer completes', async () => {
    const r = await lab({ request: { opcode: 'rrq', filename: 'dup.bin' }, wrongTidProbe: true });
    assert.ok(r.completed);
    assert.equal(r.sha256, sha(files.get('dup.bin') ?? Buffer.alloc(1)));
    assert.deepEqual(r.strangerReply, { opcode: 5, code: 5 });
  });

  test('a client that stops ACKing: retransmissions, then ERROR and stats.failed', async () => {
    const before = await stats();
    const r = await lab({ request: { opcode: 'rrq', filename: 'dup.bin' }, stopAckingAfter: 2, timeoutMs: 8000 });
    assert.equal(r.error?.code, 0, JSON.stringify(r));
    assert.equal(r.packetsAfterStop, 3, 'two retransmissions of DATA 2, then the ERROR');
    const after = await statsWhen((x) => x.failed > before.failed && x.active === 0);
    assert.equal(after.failed, before.failed + 1);
    assert.equal(after.active, 0);
  });

  test('path traversal is refused with ERROR 2; missing files with ERROR 1', async () => {
    for (const name of ['../etc/passwd', '/../../etc/passwd', '..\\..\\etc\\passwd', 'etc/passwd', 'secret-link', 'sub/../../secret']) {
      const r = await lab({ request: { opcode: 'rrq', filename: name } });
      assert.equal(r.error?.code, 2, name);
      assert.equal(r.dataPackets, 0, name);
    }
    assert.equal((await lab({ request: { opcode: 'rrq', filename: 'no-such-file' } })).error?.code, 1);
    const viaCurl = await curl('../etc/passwd', undefined, ['--path-as-is']);
    assert.notEqual(viaCurl.code, 0);
  });

  test('names: leading slash, backslashes, symlinks inside the root, extra dirs', async () => {
    const small = sha(files.get('small.txt') ?? Buffer.alloc(1));
    for (const name of ['/small.txt', 'sub\\inner.bin', '\\sub\\inner.bin', 'inner-link', './small.txt']) {
      const r = await lab({ request: { opcode: 'rrq', filename: name }, idleMs: 50 });
      assert.equal(r.sha256, small, name);
    }
    const e = await lab({ request: { opcode: 'rrq', filename: 'extra-only.bin' }, idleMs: 50 });
    assert.equal(e.bytes, 'from the extra dir'.length);
    if (existsSync('/usr/lib/ipxe/undionly.kpxe')) {
      const r = await curl('undionly.kpxe', 1432);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(sha(readFileSync(r.file)), sha(readFileSync('/usr/lib/ipxe/undionly.kpxe')));
    }
  });

  test('virtual files come before the filesystem; events carry the MAC from macFor', async () => {
    const r = await lab({ request: { opcode: 'rrq', filename: '/pxelinux.cfg/01-52-54-00-12-34-56', options: [['tsize', '0']] }, idleMs: 50 });
    const want = Buffer.from('generated pxelinux.cfg/01-52-54-00-12-34-56 for 198.18.69.2\n');
    assert.equal(r.sha256, sha(want));
    assert.deepEqual(r.oack, [['tsize', String(want.length)]]);
    const bad = await lab({ request: { opcode: 'rrq', filename: 'pxelinux.cfg/../../etc/passwd' } });
    assert.equal(bad.error?.code, 2, 'names are sanitized before virtualFile sees them');
    const done = (await doneEvent('/pxelinux.cfg/01-52-54-00-12-34-56')) as (ServerEvent & { mac?: string }) | undefined;
    assert.equal(done?.mac, '52:54:00:12:34:56');
  });

  test('WRQ is refused with ERROR 2', async () => {
    const r = await lab({ request: { opcode: 'wrq', filename: 'upload.bin' } });
    assert.equal(r.error?.code, 2);
    assert.equal(existsSync(path.join(root, 'upload.bin')), false);
  });

  test('malformed datagrams are dropped and counted; a good client still succeeds', async () => {
    const before = await stats();
    const junk = randomBytes(100);
    junk[0] = 0xff; // never a valid opcode
    const r = await lab({
      raw: [
        junk.toString('hex'),
        Buffer.from('\x00\x01abc', 'latin1').toString('hex'), // RRQ cut off inside the file name
        Buffer.from('\x00\x09small.txt\x00octet\x00', 'latin1').toString('hex'), // unknown opcode
        '00', // one byte
        '00040001', // an ACK on the well-known port
      ],
      idleMs: 300,
    });
    assert.equal(r.rawReplies, 0);
    const after = await statsWhen((x) => x.dropped >= before.dropped + 5);
    assert.equal(after.dropped, before.dropped + 5);
    const drops = events.filter((e) => e.kind === 'tftp.drop').map((e) => e.data?.reason);
    for (const code of ['TFTP_BAD_OPCODE', 'TFTP_TRUNCATED', 'TFTP_NOT_A_REQUEST']) assert.ok(drops.includes(code), code);
    const good = await curl('small.txt');
    assert.equal(good.code, 0, good.stderr);
    assert.equal(sha(readFileSync(good.file)), sha(files.get('small.txt') ?? Buffer.alloc(1)));
  });

  test('a lost DATA block: lock-step resends it when the timer fires; windowed restarts after the ACKed block at once', async () => {
    const want = sha(files.get('dup.bin') ?? Buffer.alloc(1));
    let mark = events.length;
    const lock = await lab({ request: { opcode: 'rrq', filename: 'dup.bin' }, loseData: [3, 17], idleMs: 200 });
    assert.ok(lock.completed, JSON.stringify(lock));
    assert.equal(lock.sha256, want);
    assert.equal(lock.lost, 2);
    assert.equal((await doneEvent('dup.bin', mark))?.data?.retransmits, 2, 'one timer retransmission per lost block');

    mark = events.length;
    const win = await lab({ request: { opcode: 'rrq', filename: 'dup.bin', options: [['windowsize', '4']] }, loseData: [6], idleMs: 200 });
    assert.ok(win.completed, JSON.stringify(win));
    assert.equal(win.sha256, want);
    // The client ACKs block 5 when 7 arrives out of order (RFC 7440 §4); the server goes on from 6 without waiting for its timer.
    assert.equal((await doneEvent('dup.bin', mark))?.data?.retransmits, 0);
    assert.ok(win.ms < 900, `windowed recovery took ${win.ms} ms, as long as a timeout`);
  });

  test('junk on a transfer socket is dropped and counted; the transfer completes', async () => {
    const before = await stats();
    const r = await lab({
      request: { opcode: 'rrq', filename: 'dup.bin' },
      junkToTid: ['ff', '0004', Buffer.from('\x00\x01x\x00octet\x00', 'latin1').toString('hex'), '0003000100'],
      idleMs: 200,
    });
    assert.ok(r.completed, JSON.stringify(r));
    assert.equal(r.sha256, sha(files.get('dup.bin') ?? Buffer.alloc(1)));
    assert.equal(r.duplicateData, 0);
    const after = await statsWhen((x) => x.dropped >= before.dropped + 4);
    assert.equal(after.dropped, before.dropped + 4);
  });

  test('100 concurrent curl clients, lock-step and windowed transfers side by side', async () => {
    addFile('hundred.bin', randomBytes(200_000 + 3));
    const want = sha(files.get('hundred.bin') ?? Buffer.alloc(1));
    const windowed = Array.from({ length: 4 }, () => lab({ request: { opcode: 'rrq', filename: 'hundred.bin', options: [['windowsize', '8']] }, idleMs: 100, timeoutMs: 60_000 }));
    const runs = await Promise.all(Array.from({ length: 100 }, (_, i) => curl('hundred.bin', i % 2 === 0 ? 1468 : 512)));
    for (const r of runs) {
      assert.equal(r.code, 0, r.stderr);
      assert.equal(sha(readFileSync(r.file)), want);
    }
    for (const w of await Promise.all(windowed)) assert.equal(w.sha256, want);
    const s = await statsWhen((x) => x.active === 0);
    assert.equal(s.active, 0);
  });
});
