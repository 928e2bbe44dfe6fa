/**
 * VM boot time, bootfleet against the stack it replaces (issue 6 items 6 and 8): the same QEMU
 * VM (TCG) network-boots the lab Linux in full DHCP mode, power-on to the kernel's `CMDLINE:`
 * marker, from a fresh server each time, inside one lab topology (`bootLab`). The contenders
 * take turns (A B C, B C A, …) so drift in machine load hits each alike; read the ratios.
 *
 * Each boot gets its own MAC and its own small pool, so no two boots share an address (a
 * server's TIME_WAIT for a reused address and port could otherwise stall a fetch; lab-notes).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { BootfleetProcess } from '../harness/bootfleet-process.js';
import { labConfig } from '../lab/lab-boot-config.js';
import { readPcap } from '../lab/pcap.js';
import { startVm, type Firmware } from '../lab/qemu.js';
import { startCapture, type Capture } from '../lab/tcpdump.js';
import { LAB_NET, type Lab } from '../lab/topology.js';
import { rotation, summarize } from './results.js';
import { dhcpTiming } from './vm-boot-dhcp-timing.js';
import { startDnsmasqWebStack } from './vm-boot-dnsmasq.js';

/** The profile every contender boots; its marker is checked on the serial console. */
export const LAB_CMDLINE = 'console=ttyS0 bf.profile=alpha';

/** Per-boot bound: TCG boots take 7–40 s; a firmware that loses its way times out here. */
export const BOOT_TIMEOUT_MS = 150_000;

/** What serves one boot. */
export type BootStack =
  | { kind: 'bootfleet'; iface?: Record<string, unknown> }
  | { kind: 'dnsmasq'; ping: boolean };

/** One contender in the comparison. */
export interface BootContender {
  name: string;
  stack: BootStack;
}

/** bootfleet as shipped, and dnsmasq + nginx with and without dnsmasq's default ping. */
export const DNSMASQ_COMPARISON: readonly BootContender[] = [
  { name: 'bootfleet', stack: { kind: 'bootfleet' } },
  { name: 'dnsmasq+nginx', stack: { kind: 'dnsmasq', ping: true } },
  { name: 'dnsmasq+nginx no-ping', stack: { kind: 'dnsmasq', ping: false } },
];

/** One measured boot; `seconds` is NaN and `error` set when it did not reach the marker. */
export interface VmBootRun {
  contender: string;
  round: number;
  firmware: Firmware;
  mac: string;
  seconds: number;
  /** From a capture of the bridge: first DISCOVER → first OFFER / ACK (null when not seen). */
  discoverToOffer: number | null;
  discoverToAck: number | null;
  error?: string;
}

/** At most this many rounds × contenders fit the lab's pool plan (.100–.199 in blocks of 5). */
export const MAX_ROUNDS = 5;
export const MAX_CONTENDERS = 4;

/** The address block of one boot: 5 addresses, distinct for every (round, contender). */
export function bootPool(round: number, index: number): { start: string; end: string } {
  if (round < 0 || round >= MAX_ROUNDS || index < 0 || index >= MAX_CONTENDERS) throw new Error(`no pool for round ${round}, contender ${index}`);
  const first = 100 + round * MAX_CONTENDERS * 5 + index * 5;
  return { start: `198.18.0.${first}`, end: `198.18.0.${first + 4}` };
}

/** A MAC per (round, contender, firmware) in QEMU's 52:54:00 range. */
export function bootMac(round: number, index: number, firmware: Firmware): string {
  return `52:54:00:bf:7${round}:${index}${firmware === 'bios' ? 0 : 1}`;
}

/** Contender order of each round: a rotation, so each one leads a round. */
export function bootOrder<T>(contenders: readonly T[], round: number): T[] {
  return rotation(contenders, round);
}

/** Median seconds per contender and each peer's median over `subject`'s (> 1: subject is faster). */
export function bootSummary(
  runs: readonly VmBootRun[],
  subject: string,
): { contender: string; boots: number; median: number; min: number; max: number; speedup: number; discoverToOffer: number }[] {
  const names = [...new Set(runs.map((r) => r.contender))];
  const subjectMedian = summarize(runs.filter((r) => r.contender === subject).map((r) => r.seconds)).median;
  return names.map((name) => {
    const s = summarize(runs.filter((r) => r.contender === name).map((r) => r.seconds));
    const offers = runs.filter((r) => r.contender === name && r.discoverToOffer !== null).map((r) => r.discoverToOffer!);
    return { contender: name, boots: s.n, median: s.median, min: s.min, max: s.max, speedup: subjectMedian > 0 ? s.median / subjectMedian : NaN, discoverToOffer: summarize(offers).median };
  });
}

interface Started {
  stop(): Promise<void>;
}

async function startStack(lab: Lab, dir: string, round: number, index: number, stack: BootStack): Promise<Started> {
  const pool = bootPool(round, index);
  if (stack.kind === 'bootfleet') {
    const config = labConfig(dir, round, stack.iface ?? {}, pool);
    return BootfleetProcess.start(lab.server, config, { dir });
  }
  return startDnsmasqWebStack(
    lab.server,
    dir,
    { iface: LAB_NET.serverIf, serverAddr: LAB_NET.serverAddr, router: '198.18.0.1', poolStart: pool.start, poolEnd: pool.end, netmask: '255.255.255.0', ping: stack.ping },
    LAB_CMDLINE,
  );
}

/** Boots one VM from a freshly started `contender` and measures power-on → marker. */
export async function measureBoot(lab: Lab, workDir: string, round: number, index: number, contender: BootContender, firmware: Firmware): Promise<VmBootRun> {
  const slug = contender.name.replace(/[^A-Za-z0-9_-]+/g, '-');
  const dir = path.join(workDir, `${firmware}-${round}-${slug}`);
  mkdirSync(path.join(dir, 'tftp'), { recursive: true });
  // nginx's workers run as nobody: they must be able to walk into the web root.
  chmodSync(dir, 0o755);
  const mac = bootMac(round, index, firmware);
  const run: VmBootRun = { contender: contender.name, round, firmware, mac, seconds: Number.NaN, discoverToOffer: null, discoverToAck: null };
  const server = await startStack(lab, dir, round, index, contender.stack);
  const pcap = path.join(dir, 'dhcp.pcap');
  let capture: Capture | null = null;
  try {
    capture = await startCapture(lab.lan, lab.bridgeName, pcap, 'udp port 67 or udp port 68');
    const vm = await startVm({ ns: lab.lan, tapName: lab.tapNames[0]!, mac, firmware, name: `vb-${firmware}-${round}-${index}`, logDir: dir });
    try {
      // SeaBIOS ends with "No bootable device." once every boot entry failed: no point waiting on.
      const m = await vm.waitFor(/CMDLINE: (.*)|No bootable device/, BOOT_TIMEOUT_MS);
      const seconds = (Date.now() - vm.startedAt) / 1000;
      if (m[1] === undefined) run.error = `no boot: ${lastLines(vm.serialText(), 6)}`;
      else if (!m[1].includes('bf.profile=alpha')) run.error = `booted the wrong command line: ${m[1]}`;
      else run.seconds = seconds;
    } catch (err) {
      run.error = err instanceof Error ? err.message.split('\n')[0] : String(err);
    } finally {
      await vm.stop();
    }
  } finally {
    await capture?.stop();
    await server.stop();
  }
  const parsed = existsSync(pcap) ? readPcap(readFileSync(pcap)) : null;
  if (parsed?.ok) Object.assign(run, dhcpTiming(parsed.udp, mac));
  return run;
}

function lastLines(text: string, n: number): string {
  return text.split('\n').map((l) => l.trim()).filter((l) => l.length > 0).slice(-n).join(' | ');
}

/** Runs `rounds` rounds of every contender, rotating the order; `onBoot` sees each run as it ends. */
export async function runBootComparison(opts: {
  lab: Lab;
  workDir: string;
  contenders: readonly BootContender[];
  rounds: number;
  firmware: Firmware;
  onBoot?: (run: VmBootRun) => void;
  /** Called before each boot; throws to end the run (the bench's deadline). */
  beforeBoot?: () => void;
}): Promise<VmBootRun[]> {
  if (opts.contenders.length > MAX_CONTENDERS) throw new Error(`at most ${MAX_CONTENDERS} contenders`);
  if (opts.rounds > MAX_ROUNDS) throw new Error(`at most ${MAX_ROUNDS} rounds`);
  // nginx's workers run as nobody: they walk from here down into each web root.
  chmodSync(opts.workDir, 0o755);
  const runs: VmBootRun[] = [];
  for (let round = 0; round < opts.rounds; round++) {
    for (const contender of bootOrder(opts.contenders, round)) {
      opts.beforeBoot?.();
      const run = await measureBoot(opts.lab, opts.workDir, round, opts.contenders.indexOf(contender), contender, opts.firmware);
      runs.push(run);
      opts.onBoot?.(run);
    }
  }
  return runs;
}
