/**
 * An iSCSI target for lab tests: Linux's user-space SCSI target daemon (`tgtd`, Debian package
 * `tgt`) inside a lab namespace, exporting one file as LUN 1, read-only. Started and ended by PID
 * by the test; nothing of it is in the host's own network (it listens only on the namespace's
 * address).
 *
 * What tgtd cannot put in a temp dir: its management socket, which is always
 * `/var/run/tgtd/socket.<control port>` (plus `.lock`). Each target gets a control port of its
 * own, and {@link IscsiTarget.stop} removes both files.
 *
 * tgtd ignores SIGTERM (it catches it and keeps serving): the orderly end is deleting the target,
 * then `tgtadm --op delete --mode system`; SIGKILL if it is still there after that.
 */
import { existsSync, rmSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import type { Netns } from './netns.js';

/** Where tgtd puts its management socket; fixed at build time. */
const TGTD_SOCKET_DIR = '/var/run/tgtd';
const READY_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 2_000;
/** tgtd reserves LUN 0 of every target for its own "controller" device: the disk is LUN 1. */
export const ISCSI_LUN = 1;

/** Options for {@link startIscsiTarget}. */
export interface IscsiTargetOptions {
  /** Address inside `ns` to listen on (198.18.x.x); port 3260 (RFC 7143 §13.1 well-known port). */
  addr: string;
  /** Target name, e.g. `iqn.2026-11.lab.bootfleet:iso` (RFC 3720 §3.2.6.3.1). */
  iqn: string;
  /** File exported as LUN 1. tgtd opens it read-write even for a read-only LUN: pass a copy. */
  backingFile: string;
  /** `cd`: an MMC CD/DVD with 2048-byte blocks (an ISO as is); `disk`: a 512-byte-block disk. */
  deviceType: 'cd' | 'disk';
}

/** A running tgtd. */
export interface IscsiTarget {
  readonly pid: number;
  readonly iqn: string;
  readonly addr: string;
  readonly controlPort: number;
  /** RFC 4173 root path iPXE's `sanboot` takes: `iscsi:<server>:<protocol>:<port>:<lun>:<target>`. */
  readonly rootPath: string;
  /** tgtd's own output so far (its log goes to stderr with -f). */
  log(): string;
  /** Initiator names with a session open now (from `tgtadm --op show`), e.g. `iqn.2010-04.org.ipxe:…`. */
  initiators(): string[];
  /** Shuts tgtd down, waits for it to exit, removes its socket files. Idempotent. */
  stop(): Promise<void>;
}

/** A control port with no socket of another tgtd (ours or not) in the way. */
function freeControlPort(): number {
  // tgtd takes -C up to 32767.
  const base = 2_000 + (process.pid % 30_000);
  for (let p = base; p < base + 100; p++) {
    if (!existsSync(`${TGTD_SOCKET_DIR}/socket.${p}`) && !existsSync(`${TGTD_SOCKET_DIR}/socket.${p}.lock`)) return p;
  }
  throw new Error(`no free tgtd control port in ${base}..${base + 99} (stale files in ${TGTD_SOCKET_DIR}?)`);
}

/** Starts tgtd in `ns` and configures the target; rejects (with tgtd's output) if it cannot. */
export async function startIscsiTarget(ns: Netns, opts: IscsiTargetOptions): Promise<IscsiTarget> {
  const controlPort = freeControlPort();
  const child = ns.spawn('tgtd', ['-f', '-C', String(controlPort), '--iscsi', `portal=${opts.addr}:3260`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (output += b.toString()));
  const socket = `${TGTD_SOCKET_DIR}/socket.${controlPort}`;
  const tgtadm = (...args: string[]): string => ns.run('tgtadm', ['-C', String(controlPort), '--lld', 'iscsi', ...args], { timeoutMs: 10_000 });
  let stopped = false;
  const target: IscsiTarget = {
    pid: child.pid ?? -1,
    iqn: opts.iqn,
    addr: opts.addr,
    controlPort,
    // Empty protocol and port mean TCP and 3260.
    rootPath: `iscsi:${opts.addr}:::${ISCSI_LUN}:${opts.iqn}`,
    log: () => output,
    initiators: () => [...tgtadm('--op', 'show', '--mode', 'target').matchAll(/^\s*Initiator: (\S+)/gm)].map((m) => m[1] ?? ''),
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopTgtd(ns, child, tgtadm);
      rmSync(socket, { force: true });
      rmSync(`${socket}.lock`, { force: true });
    },
  };
  try {
    await waitForSocket(socket, child, () => output);
    tgtadm('--op', 'new', '--mode', 'target', '--tid', '1', '-T', opts.iqn);
    tgtadm('--op', 'new', '--mode', 'logicalunit', '--tid', '1', '--lun', String(ISCSI_LUN), '--backing-store', opts.backingFile, '--device-type', opts.deviceType);
    // `new` takes no --params; readonly is set by an update.
    tgtadm('--op', 'update', '--mode', 'logicalunit', '--tid', '1', '--lun', String(ISCSI_LUN), '--params', 'readonly=1');
    // The lab segment is ours alone: any initiator may log in, no CHAP.
    tgtadm('--op', 'bind', '--mode', 'target', '--tid', '1', '-I', 'ALL');
  } catch (err) {
    await target.stop();
    throw new Error(`tgtd did not start: ${(err as Error).message}\n${output}`);
  }
  return target;
}

async function waitForSocket(socket: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!existsSync(socket)) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`tgtd exited (${child.exitCode ?? child.signalCode}): ${output()}`);
    if (Date.now() > deadline) throw new Error(`no ${socket} after ${READY_TIMEOUT_MS} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function stopTgtd(ns: Netns, child: ChildProcess, tgtadm: (...args: string[]) => string): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    // tgtd refuses to shut down while it has a target; --force drops the target's sessions too.
    tgtadm('--op', 'delete', '--mode', 'target', '--tid', '1', '--force');
    tgtadm('--op', 'delete', '--mode', 'system');
  } catch {
    /* not answering: the signal below ends it */
  }
  // SIGKILL after the grace period: tgtd catches SIGTERM without exiting.
  await ns.stop(child, 'SIGTERM', STOP_GRACE_MS);
}
