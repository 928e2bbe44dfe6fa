import { constants as fsConstants, type ReadStream, type Stats } from 'node:fs';
import { open, realpath, stat, type FileHandle } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pipeline, type Duplex } from 'node:stream';
import type { EventLevel, EventSink } from '../events/boot-event.js';
import { parseByteRange, type ByteRange } from './byte-range.js';
import { contentTypeFor } from './content-type.js';
import { methodsFor, parseMachineFilePath, type MachineFileRequest } from './install-routes.js';
import { macParam, normalizeMac, parseRequestPath } from './request-path.js';
import { RepeatFilter } from './repeat-filter.js';
import { SmallFileCache } from './small-file-cache.js';
import { ZeroCopySender } from './zero-copy-sender.js';

/** What the app's boot-script renderer is told about a `GET /boot.ipxe`. */
export interface BootScriptRequest {
  /** `?mac=` lower-cased and colon-separated, or null when absent or not a MAC. What to serve. */
  mac: string | null;
  /**
   * The MAC this request is recorded under (its events, sightings): `mac` when
   * {@link HttpBootServerOptions.checkMacClaim} agrees (or there is no check), the sender's
   * own when it named another, undefined when nothing is known of the sender; without
   * `?mac=`, `macFor(clientIp)`.
   */
  eventMac: string | undefined;
  clientIp: string;
  /** The whole query, parsed on first read (a fleet's scripts are asked for by MAC alone). */
  readonly query: URLSearchParams;
}

/**
 * What the app knows of a MAC named in a request, for the sender's address: `agrees` (it is
 * the sender's), `mismatch` (the sender is known as `known`), `unknown` (nothing is known of
 * the address). See `app/mac-claim-check.ts`.
 */
export type MacClaimVerdict = { verdict: 'agrees' } | { verdict: 'mismatch'; known: string } | { verdict: 'unknown' };

export interface BootScriptResponse {
  status: number;
  contentType: string;
  body: string;
}

export interface HttpBootServerOptions {
  /** Bind address, e.g. the boot interface's address; `0.0.0.0` listens everywhere. */
  address: string;
  /** 0 picks a free port; read it back from {@link HttpBootServer.port} after start(). */
  port: number;
  /** Static assets: kernels, initrds, ISOs. */
  root: string;
  /**
   * Looked up after `root`, in order, e.g. /usr/lib/ipxe so UEFI HTTP boot can fetch
   * ipxe.efi/snponly.efi. Package-owned: their symlinks are followed wherever they lead
   * (Debian links /usr/lib/ipxe/ipxe.efi to /boot/ipxe.efi); `..` is still refused.
   */
  extraDirs?: string[];
  events: EventSink;
  /** So events carry the MAC when the URL has none (from DHCP leases). */
  macFor?: (clientIp: string) => string | undefined;
  /**
   * Judges a MAC named in the URL (`?mac=` on `/boot.ipxe` and files) against the sender's
   * address before the request is recorded under it: any host may name any MAC, and must not
   * write into another machine's timeline that way. The request is served the same whatever
   * the verdict. Absent: the named MAC is believed (a server with nothing to check against).
   */
  checkMacClaim?: (claimed: string, clientIp: string) => MacClaimVerdict;
  /** Called for GET and HEAD /boot.ipxe. A throw becomes a 500 and an `http.error` event. */
  renderBootScript: (req: BootScriptRequest) => BootScriptResponse | Promise<BootScriptResponse>;
  /**
   * Called for the per-machine paths of `install-routes.ts` (installer callback, preseed, cloud-init
   * seed), with the methods each allows. Absent: those paths are static files like any other.
   * `eventMac`: whose timeline the request goes to, as {@link BootScriptRequest.eventMac} (the
   * MAC in the path is a claim like `?mac=`); null for no machine's.
   */
  machineFile?: (req: MachineFileRequest, clientIp: string, eventMac: string | null) => BootScriptResponse | Promise<BootScriptResponse>;
  /** A connection with no traffic for this long is reset. Default 30 000 ms. */
  idleTimeoutMs?: number;
  /** Files up to this size are kept in memory once read. Default 1 MiB (iPXE binaries, scripts). */
  cacheEntryBytes?: number;
  /** Memory for cached files in all. Default 32 MiB. */
  cacheTotalBytes?: number;
  /**
   * Bodies of files not served from memory go out with sendfile(2) on a worker thread
   * (zero-copy-sender.ts) where it can be used; false (or where it cannot) streams them
   * through node in {@link STREAM_CHUNK} reads. Default true.
   */
  zeroCopy?: boolean;
  /** The sendfile thread stops after this long without a transfer and starts again on demand. Default 30 000 ms. */
  transferThreadIdleMs?: number;
}

/** What one request did, collected while it runs and emitted as `http.request` when it closes. */
interface Exchange {
  started: number;
  method: string;
  path: string;
  clientIp: string;
  agent: string | undefined;
  /** The MAC the request is recorded under. */
  mac: string | undefined;
  /** A MAC the URL named that was not believed (see `checkMacClaim`), and why. */
  macClaimed: string | undefined;
  macCheck: 'mismatch' | 'unverified' | undefined;
  range: string | undefined;
  /** Body bytes the response carries when it completes. */
  bodyBytes: number;
  stream: ReadStream | null;
  /** How a file body went out, for the event: from memory, sendfile on the transfer thread, or streamed. */
  via: 'memory' | 'sendfile' | 'stream' | undefined;
  /** Bytes the sendfile worker reports sent, once it has (null while it runs or when not used). */
  zeroCopySent: number | null;
  /** Why a request was refused, for the log (never sent to the client). */
  note: string | undefined;
}

type Resolved = { ok: true; realPath: string; stat: Stats } | { ok: false; status: 403 | 404; note?: string };

const TEXT = 'text/plain; charset=utf-8';
// O_NOFOLLOW: the realpath check already resolved links; refuse one swapped in since.
// O_NONBLOCK: opening a FIFO planted in the root must not block a libuv worker.
const OPEN_FLAGS = fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK;
const NOT_FOUND_CODES = new Set(['ENOENT', 'ENOTDIR', 'ENAMETOOLONG', 'ELOOP']);
const HANGUP_CODES = new Set(['ERR_STREAM_PREMATURE_CLOSE', 'ERR_STREAM_DESTROYED', 'EPIPE', 'ECONNRESET', 'aborted']);
/**
 * Read size when a file streams through node (no zero-copy): 64 KiB reads capped a 256 MiB
 * download at a fifth of nginx's rate; 1 MiB keeps per-transfer memory modest (a boot storm
 * streams many initrds at once) and most of the gain of larger reads.
 */
const STREAM_CHUNK = 1 << 20;
const EMPTY = Buffer.alloc(0);
/**
 * Bodies shorter than this stream even when zero-copy is on: one read and one write beat a
 * hand-over to the transfer thread and a head sent apart from its body (small range reads).
 */
export const ZERO_COPY_MIN_BYTES = 64 * 1024;

/**
 * Serves boot assets over HTTP/1.1 with keep-alive and single byte ranges (iPXE, UEFI
 * HTTP boot, GRUB, installers), plus `/boot.ipxe` rendered by the app for each machine.
 * Files stream from disk; small ones are cached. Nothing outside `root`/`extraDirs` is
 * reachable, through `..`, encodings or symlinks.
 */
export class HttpBootServer {
  private readonly server: http.Server;
  private readonly cache: SmallFileCache;
  private readonly events: EventSink;
  private readonly idleMs: number;
  private readonly zeroCopy: ZeroCopySender | null;
  /** One `http.mac-mismatch` per sender and named MAC a minute. */
  private readonly mismatchWarned = new RepeatFilter();
  /** `root` confines its symlinks; extra directories are package-owned (see extraDirs). */
  private roots: { dir: string; linksMayLeave: boolean }[] = [];
  private boundPort: number;

  constructor(private readonly opts: HttpBootServerOptions) {
    this.events = opts.events;
    this.boundPort = opts.port;
    this.cache = new SmallFileCache(opts.cacheEntryBytes ?? 1 << 20, opts.cacheTotalBytes ?? 32 << 20);
    const idle = opts.idleTimeoutMs ?? 30_000;
    this.idleMs = idle;
    this.zeroCopy = opts.zeroCopy === false ? null : new ZeroCopySender(opts.transferThreadIdleMs);
    this.server = http.createServer({ keepAlive: true, noDelay: true }, (req, res) => this.onRequest(req, res));
    this.server.keepAliveTimeout = idle;
    this.server.setTimeout(idle);
    // Idle and stalled connections are reset rather than closed with FIN: netboot clients
    // usually vanish without closing (the kernel takes over the NIC), and a server-side
    // FIN_WAIT/TIME_WAIT for that 4-tuple can stall the machine's next boot when its
    // loader reuses the source port (GRUB always uses 21550; see lab-notes).
    this.server.on('timeout', (socket: Socket) => socket.resetAndDestroy());
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket) => this.onClientError(err, socket));
  }

  /** The bound port once start() has resolved (useful with port 0), else the configured one. */
  get port(): number {
    return this.boundPort;
  }

  async start(): Promise<void> {
    this.roots = [];
    for (const [i, dir] of [this.opts.root, ...(this.opts.extraDirs ?? [])].entries()) {
      try {
        this.roots.push({ dir: await realpath(dir), linksMayLeave: i > 0 });
      } catch (e) {
        this.events.emit({
          kind: 'http.root',
          level: i === 0 ? 'warn' : 'debug',
          msg: `${i === 0 ? 'root' : 'extra directory'} ${dir} is not readable; nothing is served from it`,
          data: { dir, code: errorCode(e) },
        });
      }
    }
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      this.server.listen(this.opts.port, this.opts.address, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    this.boundPort = (this.server.address() as AddressInfo).port;
    this.server.on('error', (err) => this.events.emit({ kind: 'http.error', level: 'error', msg: `server: ${err.message}` }));
    this.events.emit({ kind: 'http.listen', level: 'info', msg: `HTTP on ${this.opts.address}:${this.boundPort}`, data: { address: this.opts.address, port: this.boundPort, roots: this.roots.map((r) => r.dir).join(':') } });
  }

  /** Stops listening and drops every connection, transfers in flight included. */
  async stop(): Promise<void> {
    if (!this.server.listening) return;
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    await this.zeroCopy?.stop();
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const ex: Exchange = {
      started: performance.now(),
      method: req.method ?? '',
      path: q < 0 ? url : url.slice(0, q),
      clientIp: clientAddress(req.socket),
      agent: req.headers['user-agent'],
      mac: undefined,
      macClaimed: undefined,
      macCheck: undefined,
      range: req.headers.range,
      bodyBytes: 0,
      stream: null,
      via: undefined,
      zeroCopySent: null,
      note: undefined,
    };
    res.on('close', () => this.finish(ex, res));
    const rawQuery = q < 0 ? '' : url.slice(q + 1);
    // The hot path (a fleet fetching its scripts) first, and without an async hop when the app
    // answers from its cache; it is never a per-machine path.
    if (ex.path === '/boot.ipxe' && (ex.method === 'GET' || ex.method === 'HEAD')) {
      try {
        this.bootScript(res, ex, rawQuery, ex.method === 'HEAD')?.catch((err: unknown) => this.fail(res, ex, err));
      } catch (err) {
        this.fail(res, ex, err);
      }
      return;
    }
    this.route(req, res, ex, rawQuery).catch((err: unknown) => this.fail(res, ex, err));
  }

  private async route(req: IncomingMessage, res: ServerResponse, ex: Exchange, rawQuery: string): Promise<void> {
    const head = ex.method === 'HEAD';
    const machineFile = this.opts.machineFile ? parseMachineFilePath(ex.path, rawQuery) : null;
    if (machineFile && this.opts.machineFile) return this.machineFile(req, res, ex, machineFile, this.opts.machineFile);
    if (ex.method !== 'GET' && !head) {
      res.setHeader('Allow', 'GET, HEAD');
      return this.sendText(res, ex, 405, 'method not allowed\n', false);
    }
    if (!ex.path.startsWith('/')) return this.sendText(res, ex, 400, 'bad request\n', head);
    this.attribute(ex, rawQuery ? normalizeMac(new URLSearchParams(rawQuery).get('mac')) : null);
    return this.staticFile(req, res, ex, head);
  }

  private bootScript(res: ServerResponse, ex: Exchange, rawQuery: string, head: boolean): Promise<void> | void {
    const mac = normalizeMac(macParam(rawQuery));
    this.attribute(ex, mac);
    const out = this.opts.renderBootScript(new ScriptRequest(mac, ex.mac, ex.clientIp, rawQuery));
    // A script answered from the app's cache may come back as is: no promise, no extra turn.
    if (!(out instanceof Promise)) return this.sendGenerated(res, ex, out, head);
    return out.then((o) => this.sendGenerated(res, ex, o, head));
  }

  /**
   * Which MAC the request is recorded under: one named in the URL only when the app's check
   * agrees it is the sender's. A MAC named by another host is kept as `macClaimed` (and
   * reported as `http.mac-mismatch`, once a minute per pair), and the request goes to the
   * sender's own timeline.
   */
  private attribute(ex: Exchange, claimed: string | null): void {
    const check = this.opts.checkMacClaim;
    if (claimed === null) {
      ex.mac = this.macFor(ex.clientIp);
      return;
    }
    const v = check ? check(claimed, ex.clientIp) : null;
    if (v === null || v.verdict === 'agrees') {
      ex.mac = claimed;
      return;
    }
    ex.macClaimed = claimed;
    if (v.verdict === 'unknown') {
      ex.macCheck = 'unverified';
      return;
    }
    ex.macCheck = 'mismatch';
    ex.mac = v.known;
    if (!this.mismatchWarned.first(`${ex.clientIp} ${claimed}`)) return;
    this.events.emit({
      kind: 'http.mac-mismatch',
      level: 'warn',
      mac: v.known,
      msg: `${ex.method} ${ex.path} names MAC ${claimed}, but ${ex.clientIp} is ${v.known}: recorded as ${v.known}'s (once a minute for this pair; each request's event has macClaimed)`,
      data: { claimed, client: ex.clientIp, path: ex.path },
    });
  }

  /** A body made by the app: never cached by the client, since it follows the fleet. */
  private sendGenerated(res: ServerResponse, ex: Exchange, out: BootScriptResponse, head: boolean): void {
    const length = Buffer.byteLength(out.body, 'utf8');
    // The flat-array form of headers skips building and walking a headers object. A string
    // body (not a Buffer) lets node send head and body in one write instead of a writev.
    res.writeHead(out.status, ['Content-Type', out.contentType, 'Content-Length', String(length), 'Cache-Control', 'no-store']);
    ex.bodyBytes = head ? 0 : length;
    res.end(head ? undefined : out.body, 'utf8');
  }

  private async machineFile(
    req: IncomingMessage,
    res: ServerResponse,
    ex: Exchange,
    which: MachineFileRequest,
    handler: NonNullable<HttpBootServerOptions['machineFile']>,
  ): Promise<void> {
    this.attribute(ex, which.mac);
    const allowed = methodsFor(which);
    const head = ex.method === 'HEAD';
    // An installer may POST a body (a log, a status); it is not read, only drained.
    req.resume();
    if (!allowed.includes(ex.method)) {
      res.setHeader('Allow', allowed.join(', '));
      return this.sendText(res, ex, 405, 'method not allowed\n', head);
    }
    const out = await handler(which, ex.clientIp, ex.mac ?? null);
    this.sendGenerated(res, ex, out, head);
  }

  private async staticFile(req: IncomingMessage, res: ServerResponse, ex: Exchange, head: boolean): Promise<void> {
    const parsed = parseRequestPath(ex.path);
    if (!parsed.ok) {
      ex.note = parsed.reason;
      return this.sendText(res, ex, parsed.status, parsed.status === 400 ? 'bad request\n' : 'forbidden\n', head);
    }
    const found: Resolved = parsed.segments.length > 0 ? await this.resolve(parsed.segments) : { ok: false, status: 404 };
    if (!found.ok) {
      ex.note = found.note;
      return this.sendText(res, ex, found.status, found.status === 404 ? 'not found\n' : 'forbidden\n', head);
    }
    let fileStat = found.stat;
    let body = head ? undefined : this.cache.get(found.realPath, fileStat);
    let handle: FileHandle | undefined;
    if (!head && !body) {
      try {
        handle = await open(found.realPath, OPEN_FLAGS);
        fileStat = await handle.stat();
        if (!fileStat.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'ENOENT' });
        if (this.cache.accepts(fileStat.size)) {
          body = await handle.readFile();
          await handle.close();
          handle = undefined;
          this.cache.set(found.realPath, fileStat, body);
        }
      } catch (e) {
        await handle?.close().catch(() => {});
        const code = errorCode(e);
        if (code === 'EACCES' || NOT_FOUND_CODES.has(code)) {
          ex.note = code;
          return this.sendText(res, ex, code === 'EACCES' ? 403 : 404, code === 'EACCES' ? 'forbidden\n' : 'not found\n', head);
        }
        throw e;
      }
    }
    this.sendFile(req, res, ex, { realPath: found.realPath, stat: fileStat, body, handle, head });
  }

  private sendFile(
    req: IncomingMessage,
    res: ServerResponse,
    ex: Exchange,
    file: { realPath: string; stat: Stats; body: Buffer | undefined; handle: FileHandle | undefined; head: boolean },
  ): void {
    const { stat: st, body, handle, head } = file;
    // A file that changed while we read it: the bytes we hold are what we describe.
    const size = body ? body.length : st.size;
    const etag = `"${size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
    const lastModified = st.mtime.toUTCString();
    res.setHeader('Content-Type', contentTypeFor(file.realPath));
    res.setHeader('Last-Modified', lastModified);
    res.setHeader('ETag', etag);
    res.setHeader('Accept-Ranges', 'bytes');
    const range = chooseRange(req, size, etag, lastModified, st.mtimeMs);
    if (range.kind !== 'full' && range.kind !== 'partial') {
      void handle?.close().catch(() => {});
      if (range.kind === 'not-modified') {
        res.writeHead(304);
      } else {
        res.writeHead(416, { 'Content-Range': `bytes */${size}`, 'Content-Length': 0 });
      }
      res.end();
      return;
    }
    const start = range.kind === 'partial' ? range.start : 0;
    const end = range.kind === 'partial' ? range.end : size - 1;
    const length = end - start + 1;
    if (range.kind === 'partial') {
      res.writeHead(206, { 'Content-Range': `bytes ${start}-${end}/${size}`, 'Content-Length': length });
    } else {
      res.writeHead(200, { 'Content-Length': length });
    }
    if (head || length === 0) {
      void handle?.close().catch(() => {});
      res.end();
      return;
    }
    ex.bodyBytes = length;
    if (body) {
      ex.via = 'memory';
      res.end(start === 0 && length === body.length ? body : body.subarray(start, end + 1));
      return;
    }
    if (!handle) throw new Error('no open file to stream');
    if (this.zeroCopy && res.socket && length >= ZERO_COPY_MIN_BYTES) {
      this.sendZeroCopy(res, ex, handle, start, length).catch((err: unknown) => this.fail(res, ex, err));
      return;
    }
    this.stream(res, ex, handle, start, end);
  }

  private stream(res: ServerResponse, ex: Exchange, handle: FileHandle, start: number, end: number): void {
    const stream = handle.createReadStream({ start, end, highWaterMark: STREAM_CHUNK });
    ex.via = 'stream';
    ex.stream = stream;
    pipeline(stream, res, (err) => {
      // A client that hangs up mid-file is routine (iPXE cancelling, a VM powered off);
      // only a failure on our side (a read error) is an error.
      if (err && !HANGUP_CODES.has(errorCode(err))) this.fail(res, ex, err);
    });
  }

  /**
   * The body by sendfile(2) on the transfer thread, straight from the file to this response's
   * socket; the head goes first through node. Falls back to streaming when the thread cannot
   * take it. A transfer that fails midway leaves the connection unusable: it is closed.
   */
  private async sendZeroCopy(res: ServerResponse, ex: Exchange, handle: FileHandle, start: number, length: number): Promise<void> {
    const socket = res.socket;
    if (!socket || !this.zeroCopy) return this.stream(res, ex, handle, start, start + length - 1);
    // Corked, the head waits in the kernel and leaves with the first body bytes (nginx: tcp_nopush).
    const corked = this.zeroCopy.cork(socket);
    res.flushHeaders();
    // Writes complete in order: once this empty one has, the head is in the kernel, ahead of the body.
    const flushed = await new Promise<boolean>((resolve) => socket.write(EMPTY, (err) => resolve(!err)));
    if (!flushed || socket.destroyed) {
      await handle.close().catch(() => {});
      return;
    }
    const transfer = this.zeroCopy.begin(socket, handle, start, length, this.idleMs);
    if (!transfer) {
      if (corked) this.zeroCopy.uncork(socket);
      return this.stream(res, ex, handle, start, start + length - 1);
    }
    ex.via = 'sendfile';
    // Node closing the connection (client gone, stop()) must end the transfer: the thread's
    // own descriptor would otherwise keep the connection open and sending.
    const onClose = (): void => transfer.abort();
    res.once('close', onClose);
    if (res.destroyed) transfer.abort();
    // Node sees no traffic while the thread sends: its idle timer is off; the thread has its own.
    socket.setTimeout(0);
    // The thread holds its own descriptor of the file now.
    await handle.close().catch(() => {});
    const result = await transfer.done;
    res.off('close', onClose);
    ex.zeroCopySent = result.sent;
    if (result.error === null) {
      socket.setTimeout(this.idleMs);
      if (!res.destroyed) res.end();
      return;
    }
    // Stalled like an idle connection: reset (see the constructor); else just closed.
    if (result.error === 'stalled') socket.resetAndDestroy();
    else socket.destroy();
    if (result.error !== 'stalled' && !HANGUP_CODES.has(result.error)) {
      this.fail(res, ex, Object.assign(new Error(`sendfile: ${result.error}`), { code: result.error }));
    }
  }

  private async resolve(segments: string[]): Promise<Resolved> {
    for (const { dir: root, linksMayLeave } of this.roots) {
      let real: string;
      try {
        real = await realpath(path.join(root, ...segments));
      } catch (e) {
        const code = errorCode(e);
        if (NOT_FOUND_CODES.has(code)) continue;
        if (code === 'EACCES') return { ok: false, status: 403, note: code };
        throw e;
      }
      // A symlink may point anywhere; only what really lies under the root is served.
      if (!linksMayLeave && !isInside(root, real)) return { ok: false, status: 404, note: 'symlink leads outside the root' };
      let st: Stats;
      try {
        st = await stat(real);
      } catch (e) {
        if (NOT_FOUND_CODES.has(errorCode(e))) continue;
        throw e;
      }
      if (st.isFile()) return { ok: true, realPath: real, stat: st };
    }
    return { ok: false, status: 404 };
  }

  private sendText(res: ServerResponse, ex: Exchange, status: number, text: string, head: boolean): void {
    res.writeHead(status, { 'Content-Type': TEXT, 'Content-Length': Buffer.byteLength(text) });
    ex.bodyBytes = head ? 0 : Buffer.byteLength(text);
    res.end(head ? undefined : text);
  }

  /** Our failure: tell the client briefly if we still can, and the log in full. */
  private fail(res: ServerResponse, ex: Exchange, err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    this.events.emit({ kind: 'http.error', level: 'error', mac: ex.mac, msg: `${ex.method} ${ex.path}: ${message}`, data: { path: ex.path, code: errorCode(err) } });
    if (!res.headersSent && !res.destroyed) {
      this.sendText(res, ex, 500, 'internal error\n', ex.method === 'HEAD');
    } else {
      res.destroy();
    }
  }

  private finish(ex: Exchange, res: ServerResponse): void {
    const status = res.statusCode;
    const aborted = !res.writableFinished;
    // Bytes of an aborted transfer are those read from the file: an upper bound on what left.
    const bytes = aborted ? Math.min(ex.zeroCopySent ?? ex.stream?.bytesRead ?? 0, ex.bodyBytes) : ex.bodyBytes;
    const level: EventLevel = status >= 500 ? 'error' : status === 400 || status === 403 || ex.note !== undefined ? 'warn' : 'info';
    this.events.emit({
      kind: 'http.request',
      level,
      // A claim judged already says whose request this is (none, when unverified).
      mac: ex.macCheck !== undefined ? ex.mac : (ex.mac ?? this.macFor(ex.clientIp)),
      msg: `${ex.method} ${ex.path} ${status}${aborted ? ' (client hung up)' : ''}`,
      data: {
        method: ex.method,
        path: ex.path,
        status,
        bytes,
        ms: Math.round((performance.now() - ex.started) * 10) / 10,
        range: ex.range,
        client: ex.clientIp,
        agent: ex.agent,
        aborted: aborted || undefined,
        via: ex.via,
        note: ex.note,
        macClaimed: ex.macClaimed,
        macCheck: ex.macCheck,
      },
    });
  }

  private onClientError(err: NodeJS.ErrnoException, socket: Duplex & { remoteAddress?: string }): void {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
    this.events.emit({ kind: 'http.drop', level: 'info', msg: `malformed request: ${err.code ?? err.message}`, data: { code: err.code, client: socket.remoteAddress } });
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  }

  private macFor(clientIp: string): string | undefined {
    return this.opts.macFor?.(clientIp);
  }
}

/** A getter on a class, not on an object literal: V8 builds the latter slowly, per request. */
class ScriptRequest implements BootScriptRequest {
  private parsed: URLSearchParams | undefined;

  constructor(
    readonly mac: string | null,
    readonly eventMac: string | undefined,
    readonly clientIp: string,
    private readonly rawQuery: string,
  ) {}

  get query(): URLSearchParams {
    return (this.parsed ??= new URLSearchParams(this.rawQuery));
  }
}

type RangeChoice = ByteRange | { kind: 'not-modified' };

/**
 * Conditional requests first (RFC 9110 §13.2.2): If-None-Match, else If-Modified-Since,
 * may answer 304; a Range counts only when If-Range (if sent) still names this version.
 */
function chooseRange(req: IncomingMessage, size: number, etag: string, lastModified: string, mtimeMs: number): RangeChoice {
  const noneMatch = req.headers['if-none-match'];
  if (noneMatch !== undefined) {
    if (noneMatch.trim() === '*' || noneMatch.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) return { kind: 'not-modified' };
  } else {
    const since = req.headers['if-modified-since'];
    if (since !== undefined) {
      const t = Date.parse(since);
      if (!Number.isNaN(t) && Math.floor(mtimeMs / 1000) * 1000 <= t) return { kind: 'not-modified' };
    }
  }
  const ifRange = req.headers['if-range'];
  if (ifRange !== undefined && ifRange !== etag && ifRange !== lastModified) return { kind: 'full' };
  return parseByteRange(req.headers.range, size);
}

function isInside(root: string, real: string): boolean {
  if (real === root) return true;
  return real.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

function clientAddress(socket: Socket): string {
  const a = socket.remoteAddress ?? '';
  // A dual-stack listener reports IPv4 peers as IPv4-mapped IPv6; leases know them as IPv4.
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

function errorCode(e: unknown): string {
  return typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : '';
}
