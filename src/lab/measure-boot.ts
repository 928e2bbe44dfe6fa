/**
 * Boot time of one config choice against another (or against dnsmasq + nginx), measured side by side: VMs (BIOS: SeaBIOS +
 * QEMU's iPXE ROM, Debian's 2019 build) boot in full DHCP mode from bootfleet to the initramfs
 * marker, the two variants alternating, inside namespaces made here.
 *
 *   node dist/lab/measure-boot.js [--compare ra|no-pxedhcp|dnsmasq] [--rounds 2] [--firmware bios|uefi] [--ra-off] [--out FILE]
 *
 * `--compare ra` (default): `ipv6RaForIpxe` auto vs off (what answering iPXE's IPv6 router
 * solicitations saves). `--compare no-pxedhcp`: full mode telling iPXE to skip its proxyDHCP
 * wait (175.176, the default) vs `proxyPresent: true` (no 175.176), with the RA answer on.
 * `--compare dnsmasq` (rounds default 3): bootfleet as shipped vs the stack it replaces,
 * dnsmasq (DHCP + TFTP) + nginx serving the same kernel, initrd and a static script, with
 * dnsmasq's default ping and with `no-ping` (src/bench/vm-boot.ts); `--ra-off` adds bootfleet
 * with `ipv6RaForIpxe: off`, to show what of the difference is iPXE's IPv6 wait.
 *
 * (`uefi`: OVMF's own PXE, then ipxe.efi over TFTP, which solicits like the BIOS ROM.)
 *
 * Per boot: power-on → marker, and the gap from the last DHCP ACK to the boot-script fetch
 * (where iPXE's IPv6 wait sits: it configures DHCP and IPv6 side by side and fetches only
 * when both are done). ICMPv6 on the bridge is captured for each boot (pcap next to the JSON).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { BootfleetProcess, type LoggedEvent } from '../harness/bootfleet-process.js';
import { bootSummary, DNSMASQ_COMPARISON, runBootComparison, type VmBootRun } from '../bench/vm-boot.js';
import { labConfig } from './lab-boot-config.js';
import { canUseNetns, destroyAll } from '../lab/netns.js';
import { startVm, type Firmware } from '../lab/qemu.js';
import { startCapture } from '../lab/tcpdump.js';
import { bootLab, type Lab } from '../lab/topology.js';

export type RaMode = 'auto' | 'off';

/** One side of a comparison: a name and what it sets on the lab interface. */
export interface BootVariant {
  name: string;
  iface: Record<string, unknown>;
}

export const COMPARISONS: Readonly<Record<string, readonly [BootVariant, BootVariant]>> = {
  ra: [
    { name: 'ra-auto', iface: { ipv6RaForIpxe: 'auto' } },
    { name: 'ra-off', iface: { ipv6RaForIpxe: 'off' } },
  ],
  'no-pxedhcp': [
    { name: '175.176', iface: {} },
    { name: 'no-175.176', iface: { proxyPresent: true } },
  ],
};

/** One measured boot. */
export interface RaBootRun {
  mode: string;
  firmware: Firmware;
  mac: string;
  /** QEMU start → `CMDLINE:` on the serial console. */
  markerSeconds: number;
  /** Last DHCP ACK → `http.script` (iPXE's configuration wait). */
  ackToScriptSeconds: number;
  /** Whether bootfleet sent an advertisement, and how long after the first solicitation. */
  raSent: boolean;
  raWaitedMs: number | null;
  pcap: string;
}

const BOOT_TIMEOUT_MS = 150_000;

export { labConfig } from './lab-boot-config.js';

/** Seconds from the last `dhcp.ack` before the first `http.script` to that script fetch; null if either is missing. */
export function ackToScriptSeconds(timeline: readonly LoggedEvent[]): number | null {
  const script = timeline.find((e) => e.kind === 'http.script');
  if (!script) return null;
  const t = Date.parse(script.time);
  const acks = timeline.filter((e) => e.kind === 'dhcp.ack' && Date.parse(e.time) <= t);
  const ack = acks[acks.length - 1];
  return ack ? (t - Date.parse(ack.time)) / 1000 : null;
}

/** Boots one BIOS VM from a fresh bootfleet on `lab` and measures it. */
export async function measureOneBoot(lab: Lab, dir: string, round: number, variant: BootVariant, side: 0 | 1, firmware: Firmware = 'bios'): Promise<RaBootRun> {
  const mode = variant.name;
  const runDir = path.join(dir, `${firmware}-${round}-${mode}`);
  mkdirSync(path.join(runDir, 'tftp'), { recursive: true });
  const mac = `52:54:00:bf:6${round % 10}:${side === 0 ? 'a' : 'f'}${firmware === 'bios' ? 0 : 1}`;
  const server = await BootfleetProcess.start(lab.server, labConfig(runDir, round, variant.iface), { dir: runDir });
  const pcap = path.join(runDir, 'icmp6.pcap');
  const capture = await startCapture(lab.lan, lab.bridgeName, pcap, 'icmp6');
  try {
    const vm = await startVm({ ns: lab.lan, tapName: lab.tapNames[0]!, mac, firmware, name: `m-${firmware}-${round}-${side}`, logDir: runDir });
    let markerSeconds: number;
    try {
      await vm.waitFor(/CMDLINE: (.*)/, BOOT_TIMEOUT_MS);
      markerSeconds = (Date.now() - vm.startedAt) / 1000;
    } finally {
      await vm.stop();
    }
    const timeline = server.timeline(mac);
    const ra = timeline.find((e) => e.kind === 'ndp.ra');
    const waited = ra?.data?.waitedMs;
    return {
      mode,
      firmware,
      mac,
      markerSeconds,
      ackToScriptSeconds: ackToScriptSeconds(timeline) ?? Number.NaN,
      raSent: ra !== undefined,
      raWaitedMs: typeof waited === 'number' ? waited : null,
      pcap,
    };
  } finally {
    await capture.stop();
    await server.stop();
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** `--compare dnsmasq`: the contenders alternate A B C, B C A, …; prints seconds and ratios. */
async function compareWithDnsmasq(firmware: Firmware, rounds: number, raOff: boolean, out: string | undefined): Promise<void> {
  const contenders = [...DNSMASQ_COMPARISON, ...(raOff ? [{ name: 'bootfleet ra-off', stack: { kind: 'bootfleet' as const, iface: { ipv6RaForIpxe: 'off' } } }] : [])];
  const dir = mkdtempSync(path.join(tmpdir(), 'bootfleet-measure-boot-'));
  const lab = await bootLab({ taps: 1 });
  let runs: VmBootRun[];
  try {
    runs = await runBootComparison({
      lab,
      workDir: dir,
      contenders,
      rounds,
      firmware,
      onBoot: (r) =>
        process.stdout.write(
          `${firmware} ${r.contender.padEnd(22)} round ${r.round}: ${r.error ? `FAILED ${r.error}` : `marker ${r.seconds.toFixed(1)} s`}, DISCOVER→OFFER ${r.discoverToOffer?.toFixed(2) ?? '–'} s, →ACK ${r.discoverToAck?.toFixed(2) ?? '–'} s\n`,
        ),
    });
  } finally {
    await lab.destroy();
    await destroyAll();
  }
  const summary = bootSummary(runs, 'bootfleet');
  for (const s of summary) {
    process.stdout.write(`${firmware} ${s.contender.padEnd(22)} median ${s.median.toFixed(1)} s [${s.min.toFixed(1)}–${s.max.toFixed(1)}] (${s.boots} boots); its median / bootfleet's ${s.speedup.toFixed(2)}×; DISCOVER→OFFER median ${s.discoverToOffer.toFixed(2)} s\n`);
  }
  const file = out ?? path.join(dir, 'boot-times.json');
  writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), firmware, compare: 'dnsmasq', runs, summary }, null, 2));
  process.stdout.write(`written ${file}\n`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { compare: { type: 'string' }, rounds: { type: 'string' }, firmware: { type: 'string' }, 'ra-off': { type: 'boolean', default: false }, out: { type: 'string' } } });
  const firmware: Firmware = values.firmware === 'uefi' ? 'uefi' : 'bios';
  if (values.compare === 'dnsmasq') {
    if (!canUseNetns()) throw new Error('needs root (network namespaces, QEMU taps)');
    return compareWithDnsmasq(firmware, Number(values.rounds ?? 3), values['ra-off'] ?? false, values.out);
  }
  const variants = COMPARISONS[values.compare ?? 'ra'];
  if (!variants) throw new Error(`--compare must be one of ${[...Object.keys(COMPARISONS), 'dnsmasq'].join(', ')}`);
  if (!canUseNetns()) throw new Error('needs root (network namespaces, QEMU taps)');
  const rounds = Number(values.rounds ?? 2);
  const dir = mkdtempSync(path.join(tmpdir(), 'bootfleet-measure-boot-'));
  const lab = await bootLab({ taps: 1 });
  const runs: RaBootRun[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      // Alternate, and swap which goes first each round, so drift in machine load hits both alike.
      const order: (0 | 1)[] = round % 2 === 0 ? [0, 1] : [1, 0];
      for (const side of order) {
        const mode = variants[side].name;
        const run = await measureOneBoot(lab, dir, round, variants[side], side, firmware);
        runs.push(run);
        process.stdout.write(`${firmware} ${mode.padEnd(10)} round ${round}: marker ${run.markerSeconds.toFixed(1)} s, ACK→script ${run.ackToScriptSeconds.toFixed(1)} s, RA ${run.raSent ? `sent ${run.raWaitedMs} ms after the first RS` : 'not sent'}\n`);
      }
    }
  } finally {
    await lab.destroy();
    await destroyAll();
  }
  const summary = variants.map(({ name: mode }) => {
    const rs = runs.filter((r) => r.mode === mode);
    return { mode, boots: rs.length, markerMedian: median(rs.map((r) => r.markerSeconds)), ackToScriptMedian: median(rs.map((r) => r.ackToScriptSeconds)) };
  });
  for (const s of summary) process.stdout.write(`${firmware} ${s.mode}: median power-on → marker ${s.markerMedian.toFixed(1)} s, ACK → script ${s.ackToScriptMedian.toFixed(1)} s (${s.boots} boots)\n`);
  const out = values.out ?? path.join(dir, 'boot-times.json');
  writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), firmware, runs, summary }, null, 2));
  process.stdout.write(`written ${out}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  main().catch((err: unknown) => {
    process.stderr.write(`measure-boot: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
