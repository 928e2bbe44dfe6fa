/**
 * Read-only TFTP server (RFC 1350) with option negotiation (RFC 2347/2348/2349/7440).
 *
 * Requests arrive on the well-known port (Node dgram, here on the main thread); each accepted
 * read is handed to a transfer thread ({@link TransferThreads}), which opens its socket on an
 * ephemeral port (its transfer ID, RFC 1350 §4) and runs its {@link TransferSession} outside
 * the event loop. Files come from `virtualFile` first, then `root`, then `extraDirs`, through
 * {@link FileCache}.
 */
import dgram from 'node:dgram';
import { realpath, stat } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import type { BootEvent, EventSink } from '../events/boot-event.js';
import { decodeTftp, encodeError } from '../wire/tftp/codec.js';
import { toNetascii } from '../wire/tftp/netascii.js';
import { Opcode, TftpErrorCode, type TftpRequest } from '../wire/tftp/packet.js';
import { FileCache, FileTooLargeError, type CachedFile } from './file-cache.js';
import { negotiate } from './negotiate.js';
import { resolveInRoots, sanitizeName, type SearchRoot } from './safe-path.js';
import type { Peer, SessionOutcome } from './transfer-session.js';
import { TransferThreads, type ThreadTransfer } from './transfer-threads.js';

export interface TftpServerOptions {
  /** Bind address; '0.0.0.0' listens everywhere (replies then leave with the routing table's source address). */
  address: string;
  port: number;
  root: string;
  /** Looked up after `root` for a relative name, e.g. /usr/lib/ipxe for undionly.kpxe, ipxe.efi, snponly.efi. */
  extraDirs?: string[];
  maxBlksize: number;
  maxWindowsize: number;
  /** Retransmission timeout when the client does not negotiate one (RFC 2349). */
  timeoutSec: number;
  /** Retransmissions of one window before a transfer is abandoned. */
  retries: number;
  events: EventSink;
  /** So events carry the MAC (from DHCP leases). */
  macFor?: (clientIp: string) => string | undefined;
  /** Generated files (e.g. PXELINUX configs), asked before the filesystem with the sanitized name; may look things up first. */
  virtualFile?: (name: string, clientIp: string) => Buffer | null | Promise<Buffer | null>;
  /** Idle file bytes kept in memory. Default 256 MiB. */
  cacheBytes?: number;
  /** Larger files are refused. Default 1 GiB. */
  maxFileBytes?: number;
  /** Concurrent transfers, in all and per client address. Defaults 1024 and 64. */
  maxTransfers?: number;
  maxTransfersPerClient?: number;
  /** Look names up in lower case (dnsmasq `tftp-lowercase`, for clients that send upper case). */
  lowercaseNames?: boolean;
  /** Transfer sockets bind a port from this range (dnsmasq `tftp-port-range`, for firewalls); default any. */
  transferPorts?: { start: number; end: number };
  /**
   * Serve only world-readable files when running as root, else only files owned by this
   * process's user (dnsmasq `tftp-secure`).
   */
  secure?: boolean;
  /** Threads that run transfers (each an epoll loop over its transfers' sockets). Default 2. */
  transferThreads?: number;
}

/** Counters; `transfers` = completed + failed + aborted + active. */
export interface TftpStats {
  /** Transfers started (a file was found and a transfer socket opened). */
  transfers: number;
  completed: number;
  /** Timed out, refused by the client with an ERROR, or cut short by stop(). */
  failed: number;
  /** Ended by the client's ERROR 8 after our OACK: a normal end (EDK2's tsize probe). */
  aborted: number;
  /** Requests answered with an ERROR before any transfer (not found, WRQ, traversal, busy). */
  refused: number;
  /** Malformed or unexpected datagrams. */
  dropped: number;
  active: number;
}

interface Active {
  transfer: ThreadTransfer | null;
  /** The client answered us (so a repeated RRQ from it is a new request). */
  heard: boolean;
  ended: boolean;
  file: CachedFile | null;
  clientAddress: string;
  /** `address:port`, the client's transfer ID. */
  peerKey: string;
  /** For the closing event. */
  fileName: string;
  bytes: number;
  startedAt: number;
  blksize: number;
  windowsize: number;
  mac: string | undefined;
}

/**
 * Peers are always IP literals (from `rinfo`), so name resolution is the identity. Doing it
 * synchronously skips dgram's default `dns.lookup` hop (a deferred tick per datagram) and
 * hands each datagram to the kernel inside `send()`, so a final ERROR is out before close.
 */
const literalLookup: NonNullable<dgram.SocketOptions['lookup']> = (address, _opts, cb) => cb(null, address, 4);

function udpSocket(): dgram.Socket {
  return dgram.createSocket({ type: 'udp4', lookup: literalLookup });
}

/**
 * dnsmasq's `tftp-secure`: as root, only world-readable files; otherwise only files this
 * process's user owns.
 */
async function secureAllows(file: string): Promise<boolean> {
  try {
    const st = await stat(file);
    const uid = process.getuid?.() ?? 0;
    return uid === 0 ? (st.mode & 0o004) !== 0 : st.uid === uid;
  } catch {
    return false;
  }
}

/** Names in events: never let a client put control characters into a log line. */
function printable(s: string): string {
  return s.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export class TftpServer {
  readonly stats: TftpStats = { transfers: 0, completed: 0, failed: 0, aborted: 0, refused: 0, dropped: 0, active: 0 };
  private socket: dgram.Socket | null = null;
  private roots: SearchRoot[] = [];
  private readonly cache: FileCache;
  private readonly active = new Set<Active>();
  private readonly perClient = new Map<string, number>();
  /** The last request bytes per client TID, to recognise a retransmitted RRQ. */
  private readonly recent = new Map<string, { bytes: Buffer; session: Active | null }>();
  private stopping = false;
  private threads: TransferThreads | null = null;

  constructor(private readonly opts: TftpServerOptions) {
    this.cache = new FileCache({ budgetBytes: opts.cacheBytes ?? 256 * 2 ** 20, maxFileBytes: opts.maxFileBytes ?? 2 ** 30 });
  }

  /** The bound port (useful with `port: 0`). */
  get port(): number {
    return this.socket?.address().port ?? this.opts.port;
  }

  async start(): Promise<void> {
    this.stopping = false;
    this.roots = [];
    for (const [i, dir] of [this.opts.root, ...(this.opts.extraDirs ?? [])].entries()) {
      try {
        this.roots.push({ dir: await realpath(dir), linksMayLeave: i > 0 });
      } catch {
        this.emit({ kind: 'tftp.config', level: 'warn', msg: 'TFTP directory missing, skipped', data: { dir } });
      }
    }
    const socket = udpSocket();
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ address: this.opts.address, port: this.opts.port }, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    // After the bind, so a port already taken leaves no threads behind.
    try {
      this.threads ??= TransferThreads.start(this.opts.transferThreads ?? 2, this.opts.address, (message) =>
        this.emit({ kind: 'tftp.socket', level: 'error', msg: message, data: {} }),
      );
    } catch (err) {
      socket.close();
      throw err;
    }
    socket.on('error', (err) => this.emit({ kind: 'tftp.socket', level: 'error', msg: 'TFTP socket error', data: { error: err.message } }));
    socket.on('message', (msg, rinfo) => this.onRequest(msg, { address: rinfo.address, port: rinfo.port }));
    this.socket = socket;
    this.emit({ kind: 'tftp.listen', level: 'info', msg: 'TFTP listening', data: { address: this.opts.address, port: this.port, roots: this.roots.map((r) => r.dir).join(':') } });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const socket = this.socket;
    this.socket = null;
    for (const a of [...this.active]) this.finish(a, { kind: 'failed', reason: 'cancelled', message: 'server stopping' }, 0);
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
    const threads = this.threads;
    this.threads = null;
    await threads?.stop();
    this.recent.clear();
  }

  private emit(e: BootEvent): void {
    this.opts.events.emit(e);
  }

  private mac(ip: string): string | undefined {
    return this.opts.macFor?.(ip);
  }

  private drop(reason: string, from: Peer, level: 'debug' | 'info', detail?: string): void {
    this.stats.dropped++;
    this.emit({ kind: 'tftp.drop', level, mac: this.mac(from.address), msg: 'TFTP datagram dropped', data: { reason, detail, client: `${from.address}:${from.port}` } });
  }

  private onRequest(msg: Buffer, from: Peer): void {
    const decoded = decodeTftp(msg);
    if (!decoded.ok) return this.drop(decoded.error.code, from, 'info', decoded.error.message);
    const packet = decoded.packet;
    if (packet.opcode !== Opcode.Rrq && packet.opcode !== Opcode.Wrq) {
      // DATA/ACK/ERROR on the well-known port belong to no transfer: not for us.
      return this.drop('TFTP_NOT_A_REQUEST', from, 'debug', `opcode ${packet.opcode}`);
    }
    const key = `${from.address}:${from.port}`;
    const previous = this.recent.get(key);
    if (previous && previous.bytes.equals(msg) && !previous.session?.heard && !previous.session?.ended) {
      // The client resent its RRQ before hearing our first reply; the session's own timer
      // covers a lost reply, and a second session would only collide with the first.
      this.emit({ kind: 'tftp.duplicate', level: 'debug', mac: this.mac(from.address), msg: 'repeated request ignored', data: { client: key } });
      return;
    }
    this.recent.set(key, { bytes: Buffer.from(msg), session: null });
    void this.startTransfer(packet, from, key, msg).catch((err: unknown) => {
      this.forget(key, null);
      this.emit({ kind: 'tftp.error', level: 'error', mac: this.mac(from.address), msg: 'TFTP request failed', data: { client: key, error: String(err) } });
    });
  }

  /** Answers a request with an ERROR from the well-known port; no transfer is started. */
  private refuse(req: TftpRequest, from: Peer, code: TftpErrorCode, text: string, reason: string): void {
    this.stats.refused++;
    this.socket?.send(encodeError(code, text), from.port, from.address);
    this.forget(`${from.address}:${from.port}`, null);
    this.emit({
      kind: 'tftp.error',
      level: 'info',
      mac: this.mac(from.address),
      msg: `TFTP request refused: ${text}`,
      data: { file: printable(req.filename), code, reason, client: `${from.address}:${from.port}` },
    });
  }

  private forget(key: string, session: Active | null): void {
    const r = this.recent.get(key);
    if (r && r.session === session) this.recent.delete(key);
  }

  private async startTransfer(req: TftpRequest, from: Peer, key: string, raw: Buffer): Promise<void> {
    const options = req.options.map(([n, v]) => `${n}=${v}`).join(',');
    this.emit({
      kind: 'tftp.request',
      level: 'info',
      mac: this.mac(from.address),
      msg: `TFTP ${req.opcode === Opcode.Rrq ? 'read' : 'write'} request`,
      data: { file: printable(req.filename), mode: printable(req.mode), options: printable(options), client: key },
    });
    if (req.opcode === Opcode.Wrq) return this.refuse(req, from, TftpErrorCode.AccessViolation, 'Access violation: read-only server', 'write');
    if (req.mode !== 'octet' && req.mode !== 'netascii') {
      return this.refuse(req, from, TftpErrorCode.IllegalOperation, 'Unsupported transfer mode', 'mode');
    }
    const name = sanitizeName(this.opts.lowercaseNames === true ? req.filename.toLowerCase() : req.filename);
    if (!name.ok) return this.refuse(req, from, TftpErrorCode.AccessViolation, 'Access violation', name.reason);
    const clientCount = this.perClient.get(from.address) ?? 0;
    if (this.active.size >= (this.opts.maxTransfers ?? 1024) || clientCount >= (this.opts.maxTransfersPerClient ?? 64)) {
      return this.refuse(req, from, TftpErrorCode.NotDefined, 'Server busy', 'busy');
    }

    let data: Uint8Array;
    let file: CachedFile | null = null;
    const virtual = (await this.opts.virtualFile?.(name.name, from.address)) ?? null;
    if (virtual) {
      data = virtual;
    } else {
      const found = await resolveInRoots(name.name, this.roots);
      if (found.kind === 'not-found') return this.refuse(req, from, TftpErrorCode.FileNotFound, 'File not found', 'not-found');
      if (found.kind === 'denied') return this.refuse(req, from, TftpErrorCode.AccessViolation, 'Access violation', 'outside-root');
      if (this.opts.secure === true && !(await secureAllows(found.path))) return this.refuse(req, from, TftpErrorCode.AccessViolation, 'Access violation', 'not-secure');
      try {
        file = await this.cache.acquire(found.path);
      } catch (err) {
        if (err instanceof FileTooLargeError) return this.refuse(req, from, TftpErrorCode.NotDefined, 'File too large', 'too-large');
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return this.refuse(req, from, TftpErrorCode.FileNotFound, 'File not found', 'not-found');
        return this.refuse(req, from, TftpErrorCode.AccessViolation, 'Access violation', code ?? 'read-error');
      }
      data = file.data;
    }
    if (this.stopping) {
      if (file) this.cache.release(file);
      return;
    }
    if (req.mode === 'netascii') data = toNetascii(data);

    const n = negotiate(req.options, data.length, {
      maxBlksize: this.opts.maxBlksize,
      maxWindowsize: this.opts.maxWindowsize,
      defaultTimeoutSec: this.opts.timeoutSec,
    });
    const threads = this.threads;
    if (this.stopping || !threads) {
      if (file) this.cache.release(file);
      return;
    }

    const startedAt = performance.now();
    const mac = this.mac(from.address);
    const active: Active = {
      transfer: null,
      heard: false,
      ended: false,
      file,
      clientAddress: from.address,
      peerKey: key,
      fileName: req.filename,
      bytes: data.length,
      startedAt,
      blksize: n.blksize,
      windowsize: n.windowsize,
      mac,
    };
    this.active.add(active);
    this.perClient.set(from.address, clientCount + 1);
    this.stats.transfers++;
    this.stats.active = this.active.size;
    const recent = this.recent.get(key);
    if (recent && recent.bytes.equals(raw)) recent.session = active;
    active.transfer = threads.begin(
      {
        bindAddress: this.opts.address,
        ports: this.opts.transferPorts ?? null,
        peer: from,
        data,
        blksize: n.blksize,
        windowsize: n.windowsize,
        timeoutMs: n.timeoutSec * 1000,
        retries: this.opts.retries,
        oack: n.oack,
      },
      {
        onHeard: () => {
          active.heard = true;
        },
        onDrop: (reason) => this.drop(reason, from, 'debug'),
        onEnd: (outcome, retransmits) => this.finish(active, outcome, retransmits),
      },
    );
  }

  private finish(a: Active, outcome: SessionOutcome, retransmits: number): void {
    if (!this.active.delete(a)) return;
    a.ended = true;
    a.transfer?.cancel();
    const { fileName: file, bytes, startedAt, blksize, windowsize, mac } = a;
    const left = (this.perClient.get(a.clientAddress) ?? 1) - 1;
    if (left > 0) this.perClient.set(a.clientAddress, left);
    else this.perClient.delete(a.clientAddress);
    this.stats.active = this.active.size;
    if (a.file) this.cache.release(a.file);
    const ms = Math.round(performance.now() - startedAt);
    const common = { file: printable(file), client: a.peerKey, blksize, windowsize, retransmits };
    for (const [key, r] of this.recent) if (r.session === a) this.recent.delete(key);
    switch (outcome.kind) {
      case 'completed':
        this.stats.completed++;
        this.emit({ kind: 'tftp.done', level: 'info', mac, msg: 'TFTP transfer complete', data: { ...common, bytes, ms } });
        break;
      case 'aborted':
        this.stats.aborted++;
        // EDK2 asks for tsize, reads it from our OACK, then ends with ERROR 8 on purpose.
        this.emit({ kind: 'tftp.abort', level: 'debug', mac, msg: 'TFTP client ended after OACK', data: { ...common, code: outcome.code, message: printable(outcome.message), ms } });
        break;
      case 'failed':
        this.stats.failed++;
        this.emit({
          kind: 'tftp.error',
          level: outcome.reason === 'cancelled' ? 'debug' : 'warn',
          mac,
          msg: `TFTP transfer failed: ${outcome.reason}`,
          data: { ...common, reason: outcome.reason, code: outcome.code, message: printable(outcome.message), ms },
        });
        break;
    }
  }
}
