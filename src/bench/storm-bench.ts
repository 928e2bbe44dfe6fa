/**
 * The boot storm (issue 6): a thousand machines with distinct MACs boot at once, each doing
 * DORA, a 1 MiB TFTP read and an 8 MiB HTTP GET, against bootfleet and against dnsmasq
 * (DHCP + TFTP) with nginx (HTTP). Every machine must finish, no address may be ACKed to two
 * machines; the figures are the p50/p99 time from a machine's first DISCOVER to its last
 * byte, and the server side's peak RSS. Each storm gets freshly started servers (empty lease
 * table, memory peak counted from zero); servers take turns rep by rep.
 *
 * The machines live in one client process (`storm-client.ts`) in the lane's client namespace,
 * behind a relay address (giaddr) like perfdhcp's. For the TFTP and HTTP steps each machine
 * sends from its leased address, so the harness puts the whole pool on the client's interface
 * (as /32s) and, for the storm, routes the pool from the server through the client's
 * 198.18.0.1 as a router would: a thousand on-link neighbours would overflow the kernel's
 * shared ARP table (gc_thresh3, 1 024 by default), which is no part of what is measured.
 */
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTestFile, type BenchContext } from './context.js';
import { runIn } from './exec.js';
import { LANE, poolEnd, type Lane } from './lane.js';
import { rotation, type CaseResult } from './results.js';
import type { RunningServer } from './servers/running-server.js';
import type { StormClientResult, StormClientSpec } from './storm-spec.js';
import { udpReceiveDrops } from './storm-netstat.js';
import { treeMemoryMiB } from './storm-rss.js';
import { stormFigures, stormRows, type StormRun } from './storm-stats.js';

const MiB = 2 ** 20;
const CLIENT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'storm-client.js');

/** Sizes and bounds of the storm for one mode. */
export interface StormPlan {
  machines: number;
  /** Storms per server (servers alternate); each figure is the median over them. */
  reps: number;
  spreadMs: number;
  /** One storm's bound, from its first DISCOVER. */
  deadlineMs: number;
}

export const STORM_PLANS: Record<'full' | 'smoke', StormPlan> = {
  full: { machines: 1000, reps: 3, spreadMs: 100, deadlineMs: 180_000 },
  // CI: correctness (every machine done, no duplicate, right bytes), not speed.
  smoke: { machines: 50, reps: 1, spreadMs: 100, deadlineMs: 60_000 },
};

/** The loader fetched over TFTP and the kernel over HTTP. */
const TFTP_BYTES = 1 * MiB;
const HTTP_BYTES = 8 * MiB;
/** What EDK2's PXE client asks for (../shared/lab-notes.md, pitfall 5): an MTU-sized block, a window of 4. */
const TFTP_BLKSIZE = 1468;
const TFTP_WINDOWSIZE = 4;
const HTTP_PORT = 8080;

/** A server side under test: one server, or a pair (dnsmasq for DHCP and TFTP, nginx for HTTP). */
export interface StormContender {
  name: string;
  lane: Lane;
  /** Starts its server(s) fresh, with a DHCP pool of `pool` addresses from {@link LANE.poolStart}. */
  start(pool: number): Promise<RunningServer[]>;
}

function poolAddresses(size: number): string[] {
  const first = LANE.poolStart.split('.').reduce((n, p) => n * 256 + Number(p), 0);
  return Array.from({ length: size }, (_, i) => {
    const a = first + i;
    return [a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255].join('.');
  });
}

/** Gives the lane's client side every pool address and routes the pool through it; returns the undo. */
function routePoolThroughClient(lane: Lane, pool: number): () => void {
  const addrs = poolAddresses(pool);
  lane.client.run('ip', ['-batch', '-'], { input: addrs.map((a) => `addr add ${a}/32 dev ${LANE.clientIf}`).join('\n') + '\n' });
  lane.server.run('ip', ['route', 'replace', LANE.relayNet, 'via', LANE.clientAddr, 'dev', LANE.serverIf, 'src', LANE.serverAddr]);
  return () => {
    lane.server.run('ip', ['route', 'replace', LANE.relayNet, 'dev', LANE.serverIf, 'src', LANE.serverAddr]);
    lane.client.run('ip', ['-force', '-batch', '-'], { input: addrs.map((a) => `addr del ${a}/32 dev ${LANE.clientIf}`).join('\n') + '\n' });
  };
}

/** Receive-buffer drops so far in `ns` (0 when unreadable: the figure is a detail, not a check). */
function rcvbufErrors(ns: Lane['server']): number {
  try {
    return udpReceiveDrops(ns.run('cat', ['/proc/net/snmp']))?.rcvbufErrors ?? 0;
  } catch {
    return 0;
  }
}

/** One storm against freshly started servers. */
async function oneStorm(ctx: BenchContext, x: StormContender, plan: StormPlan, spec: Omit<StormClientSpec, 'resultFile'>, pool: number, rep: number): Promise<StormRun> {
  const servers = await x.start(pool);
  const pids = servers.map((s) => s.pid);
  const resultFile = path.join(ctx.shmDir, `storm-${x.name}-${rep}.json`);
  try {
    const idleRssMiB = treeMemoryMiB(pids, 'VmRSS');
    const drops0 = { server: rcvbufErrors(x.lane.server), client: rcvbufErrors(x.lane.client) };
    const r = await runIn(x.lane.client, process.execPath, [CLIENT, JSON.stringify({ ...spec, resultFile })], { timeoutMs: plan.deadlineMs + 60_000 });
    // Read the peak before anything stops: VmHWM dies with the process.
    const peakRssMiB = treeMemoryMiB(pids, 'VmHWM');
    const udpDrops = { server: rcvbufErrors(x.lane.server) - drops0.server, client: rcvbufErrors(x.lane.client) - drops0.client };
    if (r.code !== 0) throw new Error(`storm client against ${x.name}: ${r.timedOut ? 'timed out' : `exit ${r.code}`}\n${r.stderr.slice(-2000)}`);
    const result = JSON.parse(readFileSync(resultFile, 'utf8')) as StormClientResult;
    const figures = stormFigures(result);
    ctx.log(
      `storm ${plan.machines} ${x.name} rep ${rep + 1}: ${figures.completed}/${figures.machines} done, p50 ${figures.p50s.toFixed(2)} s, p99 ${figures.p99s.toFixed(2)} s (step p50 DORA ${figures.stepP50s.dhcp.toFixed(2)}, TFTP ${figures.stepP50s.tftp.toFixed(2)}, HTTP ${figures.stepP50s.http.toFixed(2)} s), wall ${figures.wallS.toFixed(1)} s, client CPU ${figures.clientCpuS.toFixed(1)} s, peak RSS ${peakRssMiB?.toFixed(0) ?? '?'} MiB, UDP receive-buffer drops server ${udpDrops.server} client ${udpDrops.client}${figures.duplicates.length ? `, ${figures.duplicates.length} DUPLICATE leases` : ''}`,
    );
    return { server: x.name, figures, peakRssMiB, idleRssMiB, udpDrops };
  } finally {
    rmSync(resultFile, { force: true });
    for (const s of [...servers].reverse()) await s.stop();
  }
}

export async function stormCases(ctx: BenchContext, contenders: StormContender[]): Promise<CaseResult[]> {
  const plan = STORM_PLANS[ctx.mode];
  const loader = makeTestFile(ctx.filesDir, 'storm-loader.bin', TFTP_BYTES);
  const kernel = makeTestFile(ctx.filesDir, 'storm-kernel.bin', HTTP_BYTES);
  // Twice as many addresses as machines, as a /21 for a thousand machines would give. A pool
  // exactly their size is no fair test of the peer: dnsmasq never hands out x.y.z.0 or .255
  // in class-C space, and without ping (`no-ping`) it holds no address between OFFER and
  // REQUEST, so machines whose MAC hashes meet are all offered one address and all but one
  // NAKed, round after round, as the pool fills.
  const pool = plan.machines * 2;
  const spec: Omit<StormClientSpec, 'resultFile'> = {
    machines: plan.machines,
    macPrefix: 0x5b,
    spreadMs: plan.spreadMs,
    relayAddr: LANE.relayAddr,
    serverAddr: LANE.serverAddr,
    tftp: { file: loader.name, localPath: path.join(ctx.filesDir, loader.name), blksize: TFTP_BLKSIZE, windowsize: TFTP_WINDOWSIZE },
    http: { port: HTTP_PORT, path: `/${kernel.name}`, localPath: path.join(ctx.filesDir, kernel.name) },
    dhcpTimeoutsMs: [4000, 8000, 16000, 32000],
    dhcpJitterMs: 1000,
    // A NAK (two machines offered one address, the later REQUEST loses) starts DHCP over, as firmware does.
    dhcpRounds: 32,
    tftpTimeoutMs: 1000,
    tftpMaxTimeoutMs: 4000,
    tftpTries: 6,
    httpStallMs: 30_000,
    deadlineMs: plan.deadlineMs,
  };
  const undo: (() => void)[] = [];
  const runs: StormRun[] = [];
  try {
    for (const x of contenders) undo.push(routePoolThroughClient(x.lane, pool));
    for (let rep = 0; rep < plan.reps; rep++) {
      for (const x of rotation(contenders, rep)) {
        ctx.checkDeadline();
        runs.push(await oneStorm(ctx, x, plan, spec, pool, rep));
      }
    }
  } finally {
    for (const u of undo) u();
    rmSync(path.join(ctx.filesDir, loader.name), { force: true });
    rmSync(path.join(ctx.filesDir, kernel.name), { force: true });
  }
  const note =
    `${plan.machines} machines (distinct MACs) start within ${plan.spreadMs} ms, each: DORA via a relay (giaddr ${LANE.relayAddr}; DISCOVER as EDK2 PXE, retransmitted at 4/8/16/32 s ± 1 s, RFC 2131 §4.1; a NAK restarts at once, up to 32 rounds), ` +
    `TFTP ${TFTP_BYTES / MiB} MiB as EDK2 asks (blksize ${TFTP_BLKSIZE}, tsize, windowsize ${TFTP_WINDOWSIZE}; without a window in the OACK: ERROR 8, then again plainly, lock-step; ACK retransmitted after 1 s, doubling to 4 s), then HTTP GET ${HTTP_BYTES / MiB} MiB, from its leased address; ` +
    `every byte compared; pool = ${pool} addresses (ends ${poolEnd(pool)}); percentiles nearest-rank over all machines (an unfinished one counts as infinite); median of ${plan.reps} storm(s), fresh servers each`;
  return stormRows(plan.machines, contenders.map((x) => x.name), runs, note);
}
