/**
 * One HTTP GET as iPXE fetches a kernel: a fresh connection from the machine's own address,
 * the body compared with the expected file as it streams in. Fails on a status other than
 * 200, a wrong length, a differing byte, or no byte for `stallMs`.
 */
import http from 'node:http';

export interface HttpFetchOptions {
  localAddress: string;
  server: string;
  port: number;
  path: string;
  expected: Buffer;
  stallMs: number;
}

export type HttpFetchOutcome = { ok: true } | { ok: false; error: string };

export function httpFetch(o: HttpFetchOptions): Promise<HttpFetchOutcome> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (r: HttpFetchOutcome): void => {
      if (done) return;
      done = true;
      resolve(r);
    };
    const req = http.get(
      { host: o.server, port: o.port, path: o.path, localAddress: o.localAddress, agent: false, headers: { 'user-agent': 'iPXE/1.21.1+ (bootfleet storm)' } },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          req.destroy();
          return finish({ ok: false, error: `HTTP ${res.statusCode}` });
        }
        let offset = 0;
        res.on('data', (chunk: Buffer) => {
          const n = chunk.length;
          if (offset + n > o.expected.length || o.expected.compare(chunk, 0, n, offset, offset + n) !== 0) {
            req.destroy();
            return finish({ ok: false, error: `body differs from the file at or after byte ${offset}` });
          }
          offset += n;
        });
        res.on('end', () => finish(offset === o.expected.length ? { ok: true } : { ok: false, error: `body ${offset} bytes, file has ${o.expected.length}` }));
        res.on('error', (err) => finish({ ok: false, error: `response: ${err.message}` }));
      },
    );
    req.setTimeout(o.stallMs, () => {
      req.destroy();
      finish({ ok: false, error: `no byte for ${o.stallMs} ms` });
    });
    req.on('error', (err) => finish({ ok: false, error: `request: ${err.message}` }));
  });
}
