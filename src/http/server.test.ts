import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { BootEvent } from '../events/boot-event.js';
import { HttpBootServer, type BootScriptRequest } from './server.js';

const run = promisify(execFile);
const SECRET = 'top-secret-outside-the-root';

const dir = mkdtempSync(path.join(tmpdir(), 'bootfleet-http-'));
const root = path.join(dir, 'root');
const extra = path.join(dir, 'extra');
const big = randomBytes(5 * 1024 * 1024 + 123);
const bigSha = sha256(big);
const small = Buffer.from('0123456789'.repeat(300));

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

const events: BootEvent[] = [];
const scriptCalls: BootScriptRequest[] = [];
let server: HttpBootServer;
let base: string;

before(async () => {
  mkdirSync(path.join(root, 'debian'), { recursive: true });
  mkdirSync(extra);
  writeFileSync(path.join(root, 'debian', 'linux'), big);
  writeFileSync(path.join(root, 'small.bin'), small);
  writeFileSync(path.join(root, 'menu.ipxe'), '#!ipxe\necho menu\n');
  writeFileSync(path.join(root, 'preseed.cfg'), 'd-i foo\n');
  writeFileSync(path.join(root, 'empty'), '');
  writeFileSync(path.join(dir, 'secret.txt'), SECRET);
  symlinkSync('../secret.txt', path.join(root, 'leak'));
  symlinkSync(dir, path.join(root, 'updir'));
  symlinkSync('small.bin', path.join(root, 'alias.bin'));
  writeFileSync(path.join(extra, 'ipxe.efi'), 'EFI binary');
  writeFileSync(path.join(extra, 'small.bin'), 'shadowed by root');
  // Sparse: 64 MiB that costs no disk, for a transfer a client abandons.
  writeFileSync(path.join(root, 'huge.iso'), '');
  truncateSync(path.join(root, 'huge.iso'), 64 * 1024 * 1024);

  server = new HttpBootServer({
    address: '127.0.0.1',
    port: 0,
    root,
    extraDirs: [extra, path.join(dir, 'does-not-exist')],
    events: { emit: (e) => events.push(e) },
    macFor: (ip) => (ip === '127.0.0.1' ? '52:54:00:00:00:99' : undefined),
    renderBootScript: (req) => {
      scriptCalls.push(req);
      if (req.query.get('explode') === '1') throw new Error('renderer failed');
      return { status: 200, contentType: 'text/plain; charset=utf-8', body: `#!ipxe\necho hello ${req.mac ?? 'nobody'}\n` };
    },
  });
  await server.start();
  assert.notEqual(server.port, 0);
  base = `http://127.0.0.1:${server.port}`;
});

after(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The http.request event for a path, once the response has closed on the server. */
async function requestEvent(pathPrefix: string, since: number): Promise<BootEvent> {
  for (let i = 0; i < 200; i++) {
    const e = events.slice(since).find((x) => x.kind === 'http.request' && String(x.data?.path).startsWith(pathPrefix));
    if (e) return e;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no http.request event for ${pathPrefix}`);
}

/** Sends bytes as they are (no client-side path normalisation) and returns the whole reply. */
function rawRequest(requestLine: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(server.port, '127.0.0.1', () => {
      socket.write(`${requestLine}\r\nHost: test\r\nConnection: close\r\n\r\n`);
    });
    socket.on('data', (d) => chunks.push(d));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('error', reject);
  });
}

async function curl(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run('curl', ['--silent', '--show-error', ...args], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
}

describe('static files with fetch', () => {
  test('full GET: body, length, type, validators', async () => {
    const res = await fetch(`${base}/debian/linux`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-length'), String(big.length));
    assert.equal(res.headers.get('content-type'), 'application/octet-stream');
    assert.equal(res.headers.get('accept-ranges'), 'bytes');
    assert.ok(Date.parse(res.headers.get('last-modified') ?? '') > 0);
    assert.equal(sha256(Buffer.from(await res.arrayBuffer())), bigSha);
  });

  test('text types for .ipxe and .cfg', async () => {
    for (const [p, body] of [['/menu.ipxe', '#!ipxe\necho menu\n'], ['/preseed.cfg', 'd-i foo\n']] as const) {
      const res = await fetch(base + p);
      assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
      assert.equal(await res.text(), body);
    }
  });

  test('HEAD gives the length and no body', async () => {
    for (const [p, size] of [['/debian/linux', big.length], ['/small.bin', small.length], ['/empty', 0]] as const) {
      const res = await fetch(base + p, { method: 'HEAD' });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-length'), String(size));
      assert.equal((await res.arrayBuffer()).byteLength, 0);
    }
  });

  test('ranges: first bytes, middle, suffix, open-ended, past the end', async () => {
    const cases: [string, number, number][] = [
      ['bytes=0-99', 0, 99],
      ['bytes=1000000-1999999', 1000000, 1999999],
      ['bytes=-100', big.length - 100, big.length - 1],
      ['bytes=100-', 100, big.length - 1],
      ['bytes=5000000-99999999', 5000000, big.length - 1],
    ];
    for (const [range, start, end] of cases) {
      const res = await fetch(`${base}/debian/linux`, { headers: { range } });
      assert.equal(res.status, 206, range);
      assert.equal(res.headers.get('content-range'), `bytes ${start}-${end}/${big.length}`, range);
      assert.equal(res.headers.get('content-length'), String(end - start + 1), range);
      assert.ok(Buffer.from(await res.arrayBuffer()).equals(big.subarray(start, end + 1)), range);
    }
    const none = await fetch(`${base}/debian/linux`, { headers: { range: `bytes=${big.length}-` } });
    assert.equal(none.status, 416);
    assert.equal(none.headers.get('content-range'), `bytes */${big.length}`);
    await none.arrayBuffer();
  });

  test('ranges on a small (cached) file', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${base}/small.bin`, { headers: { range: 'bytes=10-19' } });
      assert.equal(res.status, 206);
      assert.equal(await res.text(), '0123456789');
    }
  });

  test('multi-range and If-Range for another version get the full body', async () => {
    const multi = await fetch(`${base}/small.bin`, { headers: { range: 'bytes=0-1,5-6' } });
    assert.equal(multi.status, 200);
    assert.equal((await multi.arrayBuffer()).byteLength, small.length);
    const stale = await fetch(`${base}/small.bin`, { headers: { range: 'bytes=0-1', 'if-range': '"old"' } });
    assert.equal(stale.status, 200);
    await stale.arrayBuffer();
    const etag = (await fetch(`${base}/small.bin`, { method: 'HEAD' })).headers.get('etag') ?? '';
    const fresh = await fetch(`${base}/small.bin`, { headers: { range: 'bytes=0-1', 'if-range': etag } });
    assert.equal(fresh.status, 206);
    assert.equal(await fresh.text(), '01');
    const cached = await fetch(`${base}/small.bin`, { headers: { 'if-none-match': etag } });
    assert.equal(cached.status, 304);
  });

  test('extraDirs are searched after root', async () => {
    assert.equal(await (await fetch(`${base}/ipxe.efi`)).text(), 'EFI binary');
    assert.equal((await (await fetch(`${base}/small.bin`)).arrayBuffer()).byteLength, small.length);
  });

  test('missing files, directories and / are 404; a symlink inside the root is followed', async () => {
    for (const p of ['/nope', '/debian', '/debian/', '/', '/debian/linux/x']) {
      const res = await fetch(base + p);
      assert.equal(res.status, 404, p);
      await res.arrayBuffer();
    }
    assert.equal((await (await fetch(`${base}/alias.bin`)).arrayBuffer()).byteLength, small.length);
  });

  test('other methods get 405 with Allow', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
      const res = await fetch(`${base}/small.bin`, { method, body: method === 'OPTIONS' ? null : 'x' });
      assert.equal(res.status, 405, method);
      assert.equal(res.headers.get('allow'), 'GET, HEAD');
      await res.arrayBuffer();
    }
  });

  test('each request is an http.request event with the MAC from macFor', async () => {
    const since = events.length;
    await (await fetch(`${base}/debian/linux`, { headers: { range: 'bytes=0-9' } })).arrayBuffer();
    const e = await requestEvent('/debian/linux', since);
    assert.equal(e.mac, '52:54:00:00:00:99');
    assert.equal(e.level, 'info');
    assert.equal(e.data?.status, 206);
    assert.equal(e.data?.bytes, 10);
    assert.equal(e.data?.range, 'bytes=0-9');
    assert.equal(typeof e.data?.ms, 'number');
  });

  test('a ?mac= on a static file names the machine in its event', async () => {
    const since = events.length;
    await (await fetch(`${base}/small.bin?mac=52-54-00-AA-00-01`)).arrayBuffer();
    assert.equal((await requestEvent('/small.bin', since)).mac, '52:54:00:aa:00:01');
  });
});

describe('no escape from the root', () => {
  const attempts = [
    'GET /../secret.txt HTTP/1.1',
    'GET /../../../../etc/passwd HTTP/1.1',
    'GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1',
    'GET /%2e%2e/secret.txt HTTP/1.1',
    'GET /debian/..%2f..%2fsecret.txt HTTP/1.1',
    'GET /debian/%2e%2e%2f%2e%2e%2fsecret.txt HTTP/1.1',
    'GET /secret.txt%00.bin HTTP/1.1',
    'GET /leak HTTP/1.1',
    'GET /updir/secret.txt HTTP/1.1',
    // Lands in extraDirs, but through root's symlink: each root serves only what lies under it.
    'GET /updir/extra/ipxe.efi HTTP/1.1',
    'GET /%zz HTTP/1.1',
  ];
  for (const line of attempts) {
    test(line, async () => {
      const reply = await rawRequest(line);
      const status = Number(reply.slice(9, 12));
      assert.ok([400, 403, 404].includes(status), reply.slice(0, 80));
      assert.ok(!reply.includes(SECRET));
      assert.ok(!reply.includes('root:x:0:0'));
    });
  }

  test('curl --path-as-is gets nothing either', async () => {
    for (const p of ['/../secret.txt', '/%2e%2e/%2e%2e/etc/passwd', '/leak']) {
      const { stdout } = await curl('--path-as-is', '-w', '\n%{http_code}', base + p);
      assert.ok(!stdout.includes(SECRET), p);
      assert.match(stdout, /\n(403|404)$/, p);
    }
  });

  test('refusals are logged at warn with the reason', async () => {
    const since = events.length;
    await rawRequest('GET /leak HTTP/1.1');
    const e = await requestEvent('/leak', since);
    assert.equal(e.level, 'warn');
    assert.match(String(e.data?.note), /outside the root/);
  });
});

describe('/boot.ipxe', () => {
  test('calls the renderer with the MAC from the query, lower-cased', async () => {
    const since = events.length;
    scriptCalls.length = 0;
    const res = await fetch(`${base}/boot.ipxe?mac=52:54:00:AB:CD:EF&arch=7`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(await res.text(), '#!ipxe\necho hello 52:54:00:ab:cd:ef\n');
    assert.equal(scriptCalls.length, 1);
    assert.equal(scriptCalls[0]?.mac, '52:54:00:ab:cd:ef');
    assert.equal(scriptCalls[0]?.clientIp, '127.0.0.1');
    assert.equal(scriptCalls[0]?.query.get('arch'), '7');
    assert.equal((await requestEvent('/boot.ipxe', since)).mac, '52:54:00:ab:cd:ef');
  });

  test('a bad or missing MAC reaches the renderer as null', async () => {
    for (const q of ['?mac=zz:zz:zz:zz:zz:zz', '?mac=52:54:00:ab:cd', '?mac=', '', '?mac=%24%7Bnet0%2Fmac%7D']) {
      scriptCalls.length = 0;
      const res = await fetch(`${base}/boot.ipxe${q}`);
      assert.equal(await res.text(), '#!ipxe\necho hello nobody\n', q);
      assert.equal(scriptCalls[0]?.mac, null, q);
    }
  });

  test('HEAD renders for the length only', async () => {
    const res = await fetch(`${base}/boot.ipxe?mac=52:54:00:ab:cd:ef`, { method: 'HEAD' });
    assert.equal(res.headers.get('content-length'), String('#!ipxe\necho hello 52:54:00:ab:cd:ef\n'.length));
  });

  test('a renderer that throws is a 500 and an http.error, and the server carries on', async () => {
    const since = events.length;
    const res = await fetch(`${base}/boot.ipxe?explode=1`);
    assert.equal(res.status, 500);
    assert.doesNotMatch(await res.text(), /renderer failed/);
    assert.ok(events.slice(since).some((e) => e.kind === 'http.error' && /renderer failed/.test(e.msg)));
    assert.equal((await fetch(`${base}/boot.ipxe`)).status, 200);
  });
});

describe('with the real curl binary', () => {
  test('full GET of a multi-MiB file has the same sha256', async () => {
    const out = path.join(dir, 'curl-download');
    const { stdout } = await curl('-o', out, '-w', '%{http_code} %{size_download}', `${base}/debian/linux`);
    assert.equal(stdout, `200 ${big.length}`);
    assert.equal(sha256(readFileSync(out)), bigSha);
  });

  test('HEAD (-I) reports the length', async () => {
    const { stdout } = await curl('-I', `${base}/debian/linux`);
    assert.match(stdout, new RegExp(`^Content-Length: ${big.length}\\r$`, 'mi'));
    assert.match(stdout, /^Accept-Ranges: bytes\r$/im);
  });

  test('ranges: -r 0-99, -r -100, -r 100-, and unsatisfiable', async () => {
    const cases: [string, Buffer][] = [
      ['0-99', big.subarray(0, 100)],
      ['-100', big.subarray(big.length - 100)],
      ['100-', big.subarray(100)],
      ['2000000-2000009', big.subarray(2000000, 2000010)],
    ];
    for (const [range, expected] of cases) {
      const out = path.join(dir, 'curl-range');
      const { stdout } = await curl('-r', range, '-o', out, '-w', '%{http_code}', `${base}/debian/linux`);
      assert.equal(stdout, '206', range);
      assert.ok(readFileSync(out).equals(expected), range);
    }
    const { stdout } = await curl('-r', `${big.length + 10}-`, '-o', '/dev/null', '-w', '%{http_code}', `${base}/debian/linux`);
    assert.equal(stdout, '416');
  });

  test('keep-alive: a second request reuses the connection', async () => {
    const { stdout } = await curl('-o', '/dev/null', '-o', '/dev/null', '-w', '%{num_connects} ', `${base}/small.bin`, `${base}/menu.ipxe`);
    assert.equal(stdout.trim(), '1 0');
  });

  test('UEFI HTTP boot pattern: HEAD then GET on separate connections, User-Agent UefiHttpBoot/1.0', async () => {
    const since = events.length;
    const ua = ['-A', 'UefiHttpBoot/1.0'];
    const head = await curl(...ua, '-I', `${base}/ipxe.efi`);
    assert.match(head.stdout, /^HTTP\/1.1 200/);
    const get = await curl(...ua, '-w', '\n%{http_code}', `${base}/ipxe.efi`);
    assert.equal(get.stdout, 'EFI binary\n200');
    const seen = events.slice(since).filter((e) => e.kind === 'http.request' && e.data?.path === '/ipxe.efi');
    assert.deepEqual(seen.map((e) => [e.data?.method, e.data?.agent]), [['HEAD', 'UefiHttpBoot/1.0'], ['GET', 'UefiHttpBoot/1.0']]);
  });

  test('/boot.ipxe with a MAC', async () => {
    const { stdout } = await curl(`${base}/boot.ipxe?mac=52-54-00-12-34-56`);
    assert.equal(stdout, '#!ipxe\necho hello 52:54:00:12:34:56\n');
  });

  test('POST is 405', async () => {
    const { stdout } = await curl('-X', 'POST', '-d', 'x', '-o', '/dev/null', '-w', '%{http_code}', `${base}/small.bin`);
    assert.equal(stdout, '405');
  });
});

describe('robustness', () => {
  test('a client that hangs up mid-file is logged as aborted, not as an error', async () => {
    const since = events.length;
    await new Promise<void>((resolve, reject) => {
      let got = 0;
      const socket = net.connect(server.port, '127.0.0.1', () => socket.write('GET /huge.iso HTTP/1.1\r\nHost: t\r\n\r\n'));
      socket.on('data', (d) => {
        got += d.length;
        if (got > 256 * 1024) {
          socket.destroy();
          resolve();
        }
      });
      socket.on('error', reject);
    });
    const e = await requestEvent('/huge.iso', since);
    assert.equal(e.data?.aborted, true);
    assert.equal(e.data?.status, 200);
    assert.ok(Number(e.data?.bytes) < 64 * 1024 * 1024);
    assert.ok(!events.slice(since).some((x) => x.kind === 'http.error'));
    assert.equal((await fetch(`${base}/menu.ipxe`)).status, 200);
  });

  test('malformed HTTP is answered 400 and counted as http.drop', async () => {
    const since = events.length;
    const reply = await new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      const socket = net.connect(server.port, '127.0.0.1', () => socket.write('NOT HTTP AT ALL\r\n\r\n'));
      socket.on('data', (d) => chunks.push(d));
      socket.on('end', () => resolve(Buffer.concat(chunks).toString()));
      socket.on('error', reject);
    });
    assert.match(reply, /^HTTP\/1.1 400/);
    assert.ok(events.slice(since).some((e) => e.kind === 'http.drop'));
    assert.equal((await fetch(`${base}/menu.ipxe`)).status, 200);
  });

  test('many concurrent range requests all get the right bytes', async () => {
    const results = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const start = i * 100_000;
        const res = await fetch(`${base}/debian/linux`, { headers: { range: `bytes=${start}-${start + 65_535}` } });
        return Buffer.from(await res.arrayBuffer()).equals(big.subarray(start, start + 65_536));
      }),
    );
    assert.ok(results.every(Boolean));
  });
});

test('port 0 binds a real port, and start() fails cleanly when the port is taken', async () => {
  const second = new HttpBootServer({
    address: '127.0.0.1',
    port: server.port,
    root,
    events: { emit() {} },
    renderBootScript: () => ({ status: 200, contentType: 'text/plain', body: '' }),
  });
  await assert.rejects(second.start(), /EADDRINUSE/);
  await second.stop();
});

describe('a MAC named in the URL is recorded only when checkMacClaim agrees', () => {
  const OWN = '52:54:00:cc:00:01';
  const OTHER = '52:54:00:cc:00:02';
  const ROUTED = '52:54:00:cc:00:03';
  const seen: BootEvent[] = [];
  const calls: BootScriptRequest[] = [];
  const checks: [string, string][] = [];
  const fileCalls: [string, string | null][] = [];
  let checked: HttpBootServer;
  let url: string;

  before(async () => {
    checked = new HttpBootServer({
      address: '127.0.0.1',
      port: 0,
      root,
      events: { emit: (e) => seen.push(e) },
      macFor: () => OWN,
      // As the app's check would judge them: this client is OWN; OTHER belongs to someone else; ROUTED is unknown.
      checkMacClaim: (claimed, ip) => {
        checks.push([claimed, ip]);
        return claimed === OWN ? { verdict: 'agrees' } : claimed === OTHER ? { verdict: 'mismatch', known: OWN } : { verdict: 'unknown' };
      },
      renderBootScript: (req) => {
        calls.push(req);
        return { status: 200, contentType: 'text/plain; charset=utf-8', body: `#!ipxe\necho for ${req.mac ?? 'nobody'}\n` };
      },
      machineFile: (req, _ip, eventMac) => {
        fileCalls.push([req.mac, eventMac]);
        return { status: 200, contentType: 'text/plain; charset=utf-8', body: 'd-i x\n' };
      },
    });
    await checked.start();
    url = `http://127.0.0.1:${checked.port}`;
  });
  after(() => checked.stop());

  async function requestOf(p: string, since: number): Promise<BootEvent> {
    for (let i = 0; i < 200; i++) {
      const e = seen.slice(since).find((x) => x.kind === 'http.request' && x.data?.path === p);
      if (e) return e;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no http.request for ${p}`);
  }

  test('agrees: the named MAC, as before', async () => {
    const since = seen.length;
    calls.length = 0;
    assert.equal(await (await fetch(`${url}/boot.ipxe?mac=${OWN}`)).text(), `#!ipxe\necho for ${OWN}\n`);
    const e = await requestOf('/boot.ipxe', since);
    assert.deepEqual([e.mac, e.level, e.data?.macClaimed, e.data?.macCheck], [OWN, 'info', undefined, undefined]);
    assert.deepEqual([calls[0]?.mac, calls[0]?.eventMac], [OWN, OWN]);
    assert.deepEqual(checks.at(-1), [OWN, '127.0.0.1']);
  });

  test('mismatch: served the named machine\'s script, recorded as the sender\'s with a warning', async () => {
    const since = seen.length;
    calls.length = 0;
    assert.equal(await (await fetch(`${url}/boot.ipxe?mac=${OTHER}`)).text(), `#!ipxe\necho for ${OTHER}\n`);
    await (await fetch(`${url}/small.bin?mac=${OTHER.replaceAll(':', '-')}`)).arrayBuffer();
    const script = await requestOf('/boot.ipxe', since);
    const file = await requestOf('/small.bin', since);
    for (const e of [script, file]) assert.deepEqual([e.mac, e.level, e.data?.macClaimed, e.data?.macCheck, e.data?.status], [OWN, 'info', OTHER, 'mismatch', 200]);
    assert.deepEqual([calls[0]?.mac, calls[0]?.eventMac], [OTHER, OWN], 'the renderer serves OTHER, records as OWN');
    const warnings = seen.slice(since).filter((e) => e.kind === 'http.mac-mismatch');
    assert.deepEqual(warnings.map((e) => [e.mac, e.level, e.data?.claimed, e.data?.path]), [[OWN, 'warn', OTHER, '/boot.ipxe']], 'one warning a minute for this sender and MAC');
    assert.ok(!seen.slice(since).some((e) => e.mac === OTHER), 'nothing in OTHER\'s timeline');
  });

  test('unknown: served, recorded as no machine\'s (macFor is not asked either)', async () => {
    const since = seen.length;
    calls.length = 0;
    await (await fetch(`${url}/boot.ipxe?mac=${ROUTED}`)).text();
    const e = await requestOf('/boot.ipxe', since);
    assert.deepEqual([e.mac, e.level, e.data?.macClaimed, e.data?.macCheck], [undefined, 'info', ROUTED, 'unverified']);
    assert.deepEqual([calls[0]?.mac, calls[0]?.eventMac], [ROUTED, undefined]);
    assert.equal(seen.slice(since).filter((x) => x.kind === 'http.mac-mismatch').length, 0);
  });

  test('the MAC in a per-machine path is judged the same way', async () => {
    const since = seen.length;
    fileCalls.length = 0;
    for (const mac of [OWN, OTHER, ROUTED]) assert.equal(await (await fetch(`${url}/preseed/${mac.replaceAll(':', '-')}.cfg`)).text(), 'd-i x\n');
    assert.deepEqual(fileCalls, [[OWN, OWN], [OTHER, OWN], [ROUTED, null]]);
    const own = await requestOf(`/preseed/${OWN.replaceAll(':', '-')}.cfg`, since);
    const other = await requestOf(`/preseed/${OTHER.replaceAll(':', '-')}.cfg`, since);
    const routed = await requestOf(`/preseed/${ROUTED.replaceAll(':', '-')}.cfg`, since);
    assert.deepEqual([own.mac, own.data?.macCheck], [OWN, undefined]);
    assert.deepEqual([other.mac, other.data?.macClaimed, other.data?.macCheck], [OWN, OTHER, 'mismatch']);
    assert.deepEqual([routed.mac, routed.data?.macCheck], [undefined, 'unverified']);
  });

  test('no MAC named: macFor, and no check', async () => {
    const since = seen.length;
    const before = checks.length;
    calls.length = 0;
    await (await fetch(`${url}/boot.ipxe`)).text();
    assert.equal((await requestOf('/boot.ipxe', since)).mac, OWN);
    assert.deepEqual([calls[0]?.mac, calls[0]?.eventMac], [null, OWN]);
    assert.equal(checks.length, before);
  });
});
