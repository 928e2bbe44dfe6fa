/**
 * The bench's `boot` group: VM boot time, bootfleet against dnsmasq + nginx in the same lab
 * (src/bench/vm-boot.ts). Full mode: BIOS (SeaBIOS + QEMU's iPXE ROM), median of 3, against
 * dnsmasq with its default ping and with `no-ping`, target "no slower than the dnsmasq lab";
 * then UEFI (OVMF PXE → ipxe.efi → script), median of 3, against dnsmasq as shipped, ratio only.
 * Smoke mode: one bootfleet BIOS boot (≈ 10–25 s), no peers: the lab and the harness work.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { labAssets } from '../harness/lab-assets.js';
import type { Firmware } from '../lab/qemu.js';
import { bootLab } from '../lab/topology.js';
import type { BenchContext } from './context.js';
import { SUBJECT, type CaseResult } from './results.js';
import { DNSMASQ_COMPARISON, runBootComparison, type BootContender, type VmBootRun } from './vm-boot.js';

/** One case of the group: which firmware, who takes part, how many rounds, which peers carry a target. */
export interface BootCaseSpec {
  firmware: Firmware;
  name: string;
  contenders: readonly BootContender[];
  rounds: number;
  targetPeers: readonly string[];
  note: string;
}

const BIOS_NAME = 'BIOS (SeaBIOS + iPXE ROM), full DHCP: power-on → kernel marker';
const UEFI_NAME = 'UEFI (OVMF PXE → ipxe.efi → script), full DHCP: power-on → kernel marker';

/** The cases of one mode. */
export function bootCaseSpecs(mode: 'full' | 'smoke'): BootCaseSpec[] {
  if (mode === 'smoke') {
    return [{ firmware: 'bios', name: BIOS_NAME, contenders: DNSMASQ_COMPARISON.slice(0, 1), rounds: 1, targetPeers: [], note: 'smoke: one bootfleet boot, no peers (the comparison runs in full mode)' }];
  }
  const dnsmasqAsShipped = DNSMASQ_COMPARISON.filter((c) => c.name === SUBJECT || (c.stack.kind === 'dnsmasq' && c.stack.ping));
  return [
    {
      firmware: 'bios',
      name: BIOS_NAME,
      contenders: DNSMASQ_COMPARISON,
      rounds: 3,
      targetPeers: DNSMASQ_COMPARISON.filter((c) => c.name !== SUBJECT).map((c) => c.name),
      note:
        'QEMU TCG, a fresh server per boot, contenders alternating (A B C, B C A, C A B); median of 3. bootfleet as configured by default ' +
        '(answers iPXE\'s IPv6 router solicitation, 175.176 no-pxedhcp); dnsmasq from a tutorial-style dnsmasq.conf (option 175 match → ' +
        'static script on nginx, undionly.kpxe/ipxe.efi over TFTP), with its default ping before an offer and with no-ping',
    },
    {
      firmware: 'uefi',
      name: UEFI_NAME,
      contenders: dnsmasqAsShipped,
      rounds: 3,
      targetPeers: [],
      note: 'as BIOS, against dnsmasq as shipped (ping on); ratio only, no target',
    },
  ];
}

/** A case's result from its boots: seconds per contender, a problem per boot that did not reach the marker. */
export function bootCaseResult(spec: BootCaseSpec, runs: readonly VmBootRun[]): CaseResult {
  return {
    group: 'boot',
    name: spec.name,
    unit: 's',
    lowerIsBetter: true,
    measurements: spec.contenders.map((c) => {
      const mine = runs.filter((r) => r.contender === c.name);
      const per = (pick: (r: VmBootRun) => number | null): string =>
        mine
          .map(pick)
          .filter((x): x is number => x !== null)
          .map((x) => x.toFixed(2))
          .join(' / ');
      // Where the DHCP time goes, per boot: dnsmasq's ping holds the OFFER; iPXE without 175.176
      // holds its REQUEST while it waits for a proxyDHCP offer (so the ACK comes late either way).
      const details = { 'DISCOVER→OFFER s': per((r) => r.discoverToOffer), 'DISCOVER→ACK s': per((r) => r.discoverToAck) };
      return {
        server: c.name,
        samples: mine.filter((r) => Number.isFinite(r.seconds)).map((r) => r.seconds),
        ...(mine.length > 0 ? { details } : {}),
      };
    }),
    problems: runs.filter((r) => r.error !== undefined).map((r) => `${r.contender} round ${r.round}: ${r.error}`),
    note: spec.note,
    ...(spec.targetPeers.length > 0 ? { targets: spec.targetPeers.map((peer) => ({ peer, min: 1 })) } : {}),
  };
}

/** Runs the group in its own lab topology (bridge + tap + server namespace), torn down at the end. */
export async function bootCases(ctx: BenchContext, say: (condition: string) => void): Promise<CaseResult[]> {
  try {
    labAssets();
  } catch (err) {
    // A full run must compare; a smoke run says what it skipped and goes on.
    if (ctx.mode === 'full') throw err;
    say(`boot skipped in smoke: ${err instanceof Error ? err.message : String(err)}`);
    return [];
  }
  const out: CaseResult[] = [];
  const lab = await bootLab({ taps: 1 });
  try {
    for (const spec of bootCaseSpecs(ctx.mode)) {
      const workDir = path.join(ctx.workDir, `boot-${spec.firmware}`);
      mkdirSync(workDir, { recursive: true });
      const runs = await runBootComparison({
        lab,
        workDir,
        contenders: spec.contenders,
        rounds: spec.rounds,
        firmware: spec.firmware,
        beforeBoot: () => ctx.checkDeadline(),
        onBoot: (r) => ctx.log(`boot ${r.firmware} ${r.contender} round ${r.round}: ${r.error ? `FAILED ${r.error}` : `${r.seconds.toFixed(1)} s`}`),
      });
      out.push(bootCaseResult(spec, runs));
    }
  } finally {
    await lab.destroy();
  }
  return out;
}
