/**
 * DHCP: perfdhcp plays a relay agent (giaddr 198.19.0.1) and drives full DORA exchanges at
 * rising rates from as many distinct clients as the pool has addresses. Every server starts
 * fresh for each pool size and keeps running through its ramp, so its lease table fills
 * as a real one does; at each rate the servers take turns. A server's figure is the
 * highest rate it served with under 1 % of exchanges lost, with the latency there.
 * Every ACK on the wire (captured in the client namespace, `ack-capture.ts`) goes into a
 * {@link LeaseLedger}: no address may be held by two clients at once, across the whole ramp.
 */
import path from 'node:path';
import { runIn } from './exec.js';
import { LANE, type Lane } from './lane.js';
import { doraLoss, LeaseLedger, parsePerfdhcp, type PerfdhcpResult } from './perfdhcp-output.js';
import { startAckCapture, type CapturedAcks } from './ack-capture.js';
import { rotation, type CaseResult } from './results.js';
import type { BenchContext, DhcpCaseSpec } from './context.js';
import { preloadLeases } from './preload.js';
import { cpuBetween, processCpu, type CpuTime } from './process-cpu.js';
import type { RunningServer } from './servers/running-server.js';

/** Exchanges lost at or above this share make a rate unclean. */
export const MAX_LOSS = 0.01;
/** A rate counts only if perfdhcp got near it (else the client, not the server, set the pace). */
const MIN_ACHIEVED = 0.9;
/** Tries per rate before a server's ramp ends. */
const ATTEMPTS = 2;

export interface DhcpContender {
  name: string;
  lane: Lane;
  /** Starts the server with a fresh lease table (holding `spec.preload` leases) and a pool of `spec.pool`. */
  start(spec: DhcpCaseSpec): Promise<RunningServer>;
}

interface Step {
  rate: number;
  result: PerfdhcpResult | null;
  loss: number;
  clean: boolean;
  /** Completed DORA exchanges per second of sending. */
  achieved: number;
  /** [MAC, address] of every ACK seen on the wire, in order. */
  acks: [string, string][];
  /** Replies captured that did not decode. */
  undecodable: number;
  /** Replies the capture lost (tcpdump's count): the duplicate check saw fewer ACKs than were sent. */
  captureDropped: number;
  /** The server's CPU (all threads) during the run, when it could be read. */
  serverCpu?: CpuTime;
}

/**
 * What one exchange cost the server in CPU at its best clean rate: the figure that says
 * whether it would go faster with the CPU perfdhcp takes, and where its time goes.
 */
function cpuPerDora(step: Step): Record<string, string> {
  const done = step.result?.requestAck.received ?? 0;
  if (step.serverCpu === undefined || done === 0) return {};
  const us = (s: number) => Math.round((s * 1e6) / done);
  const { userSeconds: u, systemSeconds: k } = step.serverCpu;
  return { 'server CPU µs per DORA (user + system, all threads)': `${us(u + k)} (${us(u)} + ${us(k)})` };
}

/** One perfdhcp run at `rate` for `seconds`. */
export async function perfdhcpRun(lane: Lane, clients: number, rate: number, seconds: number, scratchDir: string): Promise<Step> {
  // -W: wait 1 s after the last DISCOVER so exchanges in flight are counted, not dropped.
  const args = ['-4', '-l', LANE.relayAddr, '-R', String(clients), '-r', String(rate), '-p', String(seconds), '-W', '1000000', LANE.serverAddr];
  const pcap = path.join(scratchDir, `acks-${lane.name}-${rate}-${Date.now()}.pcap`);
  const capture = await startAckCapture(lane.client, pcap);
  let text = '';
  let captured: CapturedAcks;
  try {
    text = (await runIn(lane.client, 'perfdhcp', args, { timeoutMs: (seconds + 30) * 1000 })).stdout;
  } finally {
    captured = await capture.finish();
  }
  const { acks, undecodable, droppedByKernel } = captured;
  const result = parsePerfdhcp(text);
  const loss = result ? doraLoss(result) : 1;
  // perfdhcp's own "Rate" divides by the exit wait (-W) too; count completed exchanges over the sending period.
  const achieved = result ? result.requestAck.received / seconds : 0;
  const clean = result !== null && loss < MAX_LOSS && result.discoverOffer.sent / seconds >= rate * MIN_ACHIEVED;
  return { rate, result, loss, clean, achieved, acks, undecodable, captureDropped: droppedByKernel };
}

export async function dhcpCases(ctx: BenchContext, contenders: DhcpContender[]): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const spec of ctx.plan.dhcpCases) {
    const { pool, clients } = spec;
    const c: CaseResult = {
      group: 'dhcp',
      name: `DORA via relay, ${clients} clients, pool ${pool}${spec.preload > 0 ? `, ${spec.preload} leases preloaded` : ''}`,
      unit: 'DORA/s',
      measurements: contenders.map((x) => ({ server: x.name, samples: [], details: {} })),
      problems: [],
      // Issue 6: at least Kea, and ten times dnsmasq, with durable leases.
      targets: contenders.filter((x) => x.name === 'kea' || x.name === 'dnsmasq').map((x) => ({ peer: x.name, min: x.name === 'kea' ? 1 : 10 })),
      note: `highest rate with < ${MAX_LOSS * 100} % of exchanges lost (and ≥ ${MIN_ACHIEVED * 100} % of the asked rate achieved), ${ctx.plan.dhcpSeconds} s per rate, up to ${ATTEMPTS} tries per rate; rates ${ctx.plan.dhcpRates[0]}–${ctx.plan.dhcpRates.at(-1)}; latency = mean DISCOVER→OFFER + REQUEST→ACK there`,
    };
    const running = new Map<string, RunningServer>();
    try {
      for (const x of contenders) running.set(x.name, await x.start(spec));
      const active = new Set(contenders.map((x) => x.name));
      const best = new Map<string, Step>();
      const acked = new Map<string, number>();
      const checked = new Map<string, number>();
      const ledgers = new Map(contenders.map((x) => [x.name, new LeaseLedger()]));
      // The preloaded machines hold their addresses too: handing one to a perfdhcp client is a duplicate.
      for (const l of preloadLeases(pool, spec.preload)) for (const ledger of ledgers.values()) ledger.add(l.mac, l.address);
      for (const [i, rate] of ctx.plan.dhcpRates.entries()) {
        if (active.size === 0) break;
        for (const x of rotation(contenders.filter((y) => active.has(y.name)), i)) {
          ctx.checkDeadline();
          let step: Step | null = null;
          for (let attempt = 0; attempt < ATTEMPTS && !step?.clean; attempt++) {
            const pid = running.get(x.name)!.pid;
            const cpuBefore = processCpu(pid);
            step = await perfdhcpRun(x.lane, clients, rate, ctx.plan.dhcpSeconds, ctx.shmDir);
            const cpuAfter = processCpu(pid);
            if (cpuBefore && cpuAfter) step.serverCpu = cpuBetween(cpuBefore, cpuAfter);
            acked.set(x.name, (acked.get(x.name) ?? 0) + (step.result?.requestAck.received ?? 0));
            const ledger = ledgers.get(x.name)!;
            const dupsBefore = ledger.duplicates.length;
            for (const [client, address] of step.acks) ledger.add(client, address);
            const dups = ledger.duplicates.slice(dupsBefore);
            if (step.undecodable > 0) c.problems.push(`${x.name}: ${step.undecodable} undecodable replies at ${rate}/s`);
            // How much of what perfdhcp counted the duplicate check saw (tcpdump can fall behind at Kea's rates).
            checked.set(x.name, (checked.get(x.name) ?? 0) + step.acks.length);
            if (step.result && step.result.requestAck.received > 0 && step.acks.length === 0) {
              c.problems.push(`${x.name}: the capture saw none of perfdhcp's ${step.result.requestAck.received} ACKs at ${rate}/s`);
            }
            if (dups.length > 0) {
              const d = dups[0]!;
              c.problems.push(`${x.name}: ${dups.length} address(es) ACKed to a second client at ${rate}/s, e.g. ${d.address} (${d.holder}, then ${d.other})`);
            }
            if (step.result === null) c.problems.push(`${x.name}: perfdhcp gave no report at ${rate}/s`);
            // Let a server that fell behind drain its backlog before the next try.
            if (!step.clean) await new Promise((r) => setTimeout(r, 1500));
          }
          ctx.log(`dhcp ${clients}/${pool}${spec.preload ? `+${spec.preload}` : ''} ${x.name} @${rate}/s: ${step!.result ? `completed ${step!.achieved.toFixed(0)}/s, lost ${(step!.loss * 100).toFixed(2)} %` : 'no report'}${step!.clean ? '' : ' → ramp ends'}`);
          if (step!.clean) best.set(x.name, step!);
          else active.delete(x.name);
        }
      }
      for (const x of contenders) {
        const m = c.measurements.find((y) => y.server === x.name)!;
        const b = best.get(x.name);
        if (!b?.result) {
          // Lossy even at the lowest rate: the honest figure is zero.
          m.samples.push(0);
          m.details = { note: `no clean rate (lossy at ${ctx.plan.dhcpRates[0]}/s)` };
          continue;
        }
        m.samples.push(b.achieved);
        m.details = {
          'clean at': `${b.rate}/s`,
          'lost %': Number((b.loss * 100).toFixed(2)),
          'DORA latency ms (mean)': Number((b.result.discoverOffer.avgMs + b.result.requestAck.avgMs).toFixed(3)),
          'max DO ms': b.result.discoverOffer.maxMs,
          'max RA ms': b.result.requestAck.maxMs,
          'ramp ended by': active.has(x.name) ? 'top rate reached' : 'loss at next rate',
          ...cpuPerDora(b),
        };
      }
      for (const x of contenders) {
        const m = c.measurements.find((y) => y.server === x.name)!;
        m.details = {
          ...m.details,
          'leases held at the end (preloaded included)': ledgers.get(x.name)!.size,
          'ACKs checked for duplicates / ACKs perfdhcp counted': `${checked.get(x.name) ?? 0} / ${acked.get(x.name) ?? 0}`,
        };
      }
      // In a smoke run a server that never ACKed anything means a broken lane or config. In a
      // full run it can be the figure itself (lossy even at the lowest rate): it says 0 above.
      for (const x of contenders) {
        if ((acked.get(x.name) ?? 0) > 0) continue;
        if (ctx.mode === 'smoke') c.problems.push(`${x.name}: no DHCPACK received at all`);
        else c.measurements.find((y) => y.server === x.name)!.details!['note'] = 'no DHCPACK received at all';
      }
    } finally {
      for (const s of running.values()) await s.stop();
    }
    ctx.log(`dhcp ${c.name}: ${c.measurements.map((m) => `${m.server} ${m.samples.map((x) => x.toFixed(0)).join('/') || '–'}`).join(', ')}`);
    results.push(c);
  }
  return results;
}
