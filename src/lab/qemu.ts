/**
 * QEMU VMs for the lab: a diskless x86-64 machine with one NIC on a tap inside a lab
 * namespace, network-booting with either SeaBIOS + QEMU's iPXE NIC ROM ("bios") or
 * OVMF with EDK2's own PXE client ("uefi"). Serial output goes to a file that tests poll.
 *
 * Measured on these machines (see /work/shared/lab-notes.md): KVM fails inside firmware, so
 * always TCG; SeaBIOS and iPXE only print to the serial port under -nographic.
 */
import { copyFileSync, mkdirSync, openSync, closeSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Netns } from './netns.js';

export type Firmware = 'bios' | 'uefi';

/** Options for {@link startVm}. */
export interface VmOptions {
  /** Namespace holding the tap (QEMU runs inside it, so it dies with the namespace's processes). */
  ns: Netns;
  tapName: string;
  /** Lower-case colon MAC, e.g. `52:54:00:bf:00:01` (52:54:00 is QEMU's own prefix). */
  mac: string;
  firmware: Firmware;
  /** Used in file names and as QEMU's -name: letters, digits, `-`, `_`. */
  name: string;
  logDir: string;
  memMb?: number;
  /** SMBIOS UUID; the firmware sends it in DHCP option 97 (all zeros otherwise). */
  uuid?: string;
  extraArgs?: string[];
}

/** A running lab VM. */
export interface Vm {
  readonly name: string;
  readonly pid: number;
  /** Path of the raw serial log file. */
  readonly serialLog: string;
  /** Path of QEMU's own stdout/stderr. */
  readonly qemuLog: string;
  /** Milliseconds since epoch when QEMU was started (for boot-time measurements). */
  readonly startedAt: number;
  /**
   * Resolves with the first match of `pattern` in the serial output, with ANSI escapes and
   * carriage returns removed. Rejects after `timeoutMs`, or once QEMU has exited without a
   * match; the error carries the last ~40 lines of serial output.
   */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  /** Serial output so far, cleaned like {@link Vm.waitFor} sees it. */
  serialText(): string;
  /** Ends QEMU (by PID) and waits for it; its per-VM firmware variables file goes when it exits. Idempotent. */
  stop(): Promise<void>;
  /** QEMU's exit code (null when ended by a signal). The guest's `poweroff` makes it exit 0. */
  readonly exited: Promise<number | null>;
}

const OVMF_CODE = '/usr/share/OVMF/OVMF_CODE_4M.fd';
const OVMF_VARS = '/usr/share/OVMF/OVMF_VARS_4M.fd';
const POLL_MS = 200;
const TAIL_LINES = 40;
/** How long output must stand still before a match at its very end counts as whole. */
const SETTLE_MS = 1000;

/**
 * The match of `pattern` in serial output that is still being written, once it is whole: the log
 * is read while QEMU writes it, so a match that runs to the end of the text so far may be half a
 * line ("CMDLINE: initrd=" of a longer line). It counts when it ends before the text does, or
 * when the text has `settled` (stopped growing, or QEMU has gone).
 */
export function wholeMatch(text: string, pattern: RegExp, settled: boolean): RegExpMatchArray | null {
  const m = text.match(pattern);
  if (!m) return null;
  const touchesEnd = (m.index ?? 0) + m[0].length >= text.length;
  return touchesEnd && !settled ? null : m;
}

/** Removes ANSI escape sequences and CRs (SeaBIOS and iPXE draw with both). */
export function cleanSerial(raw: string): string {
  return raw.replace(/\x1b\[[0-?]*[ -/]*[@-~]/g, '').replace(/\x1b[()][0-9A-B]/g, '').replace(/\r/g, '');
}

function tail(text: string, lines: number): string {
  return text.split('\n').slice(-lines).join('\n');
}

/** QEMU arguments for one VM; exported so tests can check them without starting QEMU. */
export function qemuArgs(opts: VmOptions, serialLog: string, varsFile: string | null): string[] {
  const args = [
    '-name', opts.name,
    '-accel', 'tcg',
    '-m', String(opts.memMb ?? 512),
    '-nographic',
    // -nographic would multiplex the monitor onto stdio; we have no stdin, so no monitor.
    '-monitor', 'none',
    '-serial', `file:${serialLog}`,
    '-no-reboot',
    '-boot', 'n',
    '-netdev', `tap,id=n0,ifname=${opts.tapName},script=no,downscript=no`,
  ];
  if (opts.firmware === 'bios') {
    // QEMU's default ROM for virtio-net-pci is efi-virtio.rom from ipxe-qemu (found through
    // QEMU's data path /usr/lib/ipxe/qemu): under SeaBIOS that is iPXE's legacy PXE ROM.
    args.push('-device', `virtio-net-pci,netdev=n0,mac=${opts.mac},bootindex=1`);
  } else {
    // An empty romfile leaves EDK2's own virtio driver + PxeBcDxe as the only PXE client.
    // bootindex makes OVMF try the NIC first instead of its empty DVD drive.
    args.push('-device', `virtio-net-pci,netdev=n0,mac=${opts.mac},romfile=,bootindex=1`);
    if (varsFile === null) throw new Error('uefi needs a variables file');
    args.push(
      '-drive', `if=pflash,format=raw,unit=0,readonly=on,file=${OVMF_CODE}`,
      '-drive', `if=pflash,format=raw,unit=1,file=${varsFile}`,
    );
  }
  if (opts.uuid) args.push('-uuid', opts.uuid);
  args.push(...(opts.extraArgs ?? []));
  return args;
}

/** Starts a VM inside `opts.ns`. Resolves once QEMU is spawned (not booted). */
export async function startVm(opts: VmOptions): Promise<Vm> {
  if (!/^[A-Za-z0-9_-]+$/.test(opts.name)) throw new Error(`bad VM name: ${opts.name}`);
  mkdirSync(opts.logDir, { recursive: true });
  const serialLog = join(opts.logDir, `${opts.name}.serial.log`);
  const qemuLog = join(opts.logDir, `${opts.name}.qemu.log`);
  rmSync(serialLog, { force: true });
  let varsFile: string | null = null;
  if (opts.firmware === 'uefi') {
    // Each VM writes its own NVRAM (boot order, PXE options); never share the package's copy.
    varsFile = join(opts.logDir, `${opts.name}.OVMF_VARS.fd`);
    copyFileSync(OVMF_VARS, varsFile);
  }
  const args = qemuArgs(opts, serialLog, varsFile);
  const logFd = openSync(qemuLog, 'w');
  const startedAt = Date.now();
  const child = opts.ns.spawn('qemu-system-x86_64', args, { stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);

  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      exitCode = code;
      if (varsFile) rmSync(varsFile, { force: true });
      resolve(code);
    });
    child.once('error', () => {
      exitCode = null;
      resolve(null);
    });
  });
  const pid = child.pid;
  if (pid === undefined) {
    await exited;
    throw new Error(`qemu did not start: ${readText(qemuLog)}`);
  }

  const serialText = (): string => cleanSerial(readText(serialLog));
  let stopped = false;

  const vm: Vm = {
    name: opts.name,
    pid,
    serialLog,
    qemuLog,
    startedAt,
    exited,
    serialText,
    waitFor(pattern, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      let lastLength = -1;
      let lastGrowth = Date.now();
      return new Promise<RegExpMatchArray>((resolve, reject) => {
        const check = (): void => {
          // Read "exited" before the log so the final read includes QEMU's last output.
          const gone = exitCode !== undefined;
          const text = serialText();
          if (text.length !== lastLength) {
            lastLength = text.length;
            lastGrowth = Date.now();
          }
          const m = wholeMatch(text, pattern, gone || Date.now() - lastGrowth >= SETTLE_MS);
          if (m) return resolve(m);
          if (gone || Date.now() >= deadline) {
            const why = gone
              ? `QEMU exited (${String(exitCode)}) before ${String(pattern)} appeared`
              : `timed out after ${timeoutMs} ms waiting for ${String(pattern)}`;
            const qemuOut = readText(qemuLog).trim();
            return reject(
              new Error(
                `VM ${opts.name}: ${why}\n--- last serial lines ---\n${tail(text, TAIL_LINES)}` +
                  (qemuOut ? `\n--- qemu output ---\n${tail(qemuOut, 10)}` : ''),
              ),
            );
          }
          setTimeout(check, POLL_MS);
        };
        check();
      });
    },
    async stop() {
      if (!stopped) {
        stopped = true;
        await opts.ns.stop(child);
      }
      await exited;
    },
  };
  return vm;
}

function readText(path: string): string {
  try {
    return existsSync(path) ? readFileSync(path, 'latin1') : '';
  } catch {
    return '';
  }
}
