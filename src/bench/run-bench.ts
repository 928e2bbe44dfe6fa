/**
 * One benchmark run, start to end: checks the tools, makes the test files and one lane per
 * server, runs TFTP, HTTP, DHCP and the boot storm against bootfleet and its peers (servers alternating),
 * optionally profiles bootfleet, and tears everything down whatever happens.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { canUseNetns } from '../lab/netns.js';
import { FULL_PLAN, makeTestFile, SMOKE_PLAN, type BenchContext, type BenchPlan, type DhcpCaseSpec } from './context.js';
import { preloadBootfleet, preloadLeases, writeDnsmasqLeases, writeKeaLeases } from './preload.js';
import { dhcpCases, perfdhcpRun, type DhcpContender } from './dhcp-bench.js';
import { HTTP_PORT, SCRIPT_PATH, httpFileCase, httpScriptCase } from './http-bench.js';
import { createLane, LANE, type Lane } from './lane.js';
import { machineInfo } from './machine-info.js';
import { describeProfile, profileBootfleet } from './profile-bootfleet.js';
import type { BenchReport } from './report.js';
import { SUBJECT, summarize, samplesOf, type BenchGroup, type CaseResult } from './results.js';
import { startAtftpd } from './servers/atftpd.js';
import { startBootfleet } from './servers/bootfleet.js';
import { DNSMASQ_LEASE_FILE, startDnsmasq } from './servers/dnsmasq.js';
import { KEA_LEASE_FILE, startKea } from './servers/kea.js';
import { startNginx } from './servers/nginx.js';
import type { RunningServer } from './servers/running-server.js';
import { startTftpdHpa } from './servers/tftpd-hpa.js';
import type { Target } from './target.js';
import { TFTP_CPU, tftpConcurrentCases, tftpSingleCases } from './tftp-bench.js';
import { have, runIn } from './exec.js';
import { stormContenders } from './storm-contenders.js';
import { stormCases } from './storm-bench.js';
import { bootCases } from './vm-boot-bench.js';

export interface RunBenchOptions {
  mode: 'full' | 'smoke';
  groups: ReadonlySet<BenchGroup>;
  /** Profile bootfleet under each group's load after the comparison. */
  profile: boolean;
  log?: (line: string) => void;
}

const MiB = 2 ** 20;

/** Client tools each group needs, and the peers it compares against. */
const NEEDS: Record<BenchGroup, { clients: string[]; peers: Record<string, string> }> = {
  tftp: { clients: ['curl', 'atftp', 'taskset'], peers: { 'tftpd-hpa': 'in.tftpd', dnsmasq: 'dnsmasq', atftpd: 'atftpd' } },
  http: { clients: ['curl', 'wrk'], peers: { nginx: 'nginx' } },
  dhcp: { clients: ['perfdhcp', 'tcpdump'], peers: { dnsmasq: 'dnsmasq', kea: 'kea-dhcp4' } },
  // The storm's client is node itself; its one peer is the pair dnsmasq (DHCP + TFTP) + nginx (HTTP).
  storm: { clients: [], peers: { dnsmasq: 'dnsmasq', nginx: 'nginx' } },
  // The VMs' QEMU is the client; the peer is one stack, dnsmasq + nginx (both needed).
  boot: { clients: ['qemu-system-x86_64'], peers: { dnsmasq: 'dnsmasq', nginx: 'nginx' } },
};


/** Lets a pinned server use every CPU again (all its threads; children it forks later inherit it). */
function unpin(server: RunningServer): void {
  execFileSync('taskset', ['-a', '-p', '-c', `0-${os.cpus().length - 1}`, String(server.pid)], { stdio: 'ignore' });
}

export async function runBench(opts: RunBenchOptions): Promise<BenchReport> {
  if (!canUseNetns()) throw new Error('the benchmark needs root and iproute2: it makes its own network namespaces');
  const log = opts.log ?? ((l: string) => process.stdout.write(`${l}\n`));
  const plan: BenchPlan = opts.mode === 'smoke' ? SMOKE_PLAN : FULL_PLAN;
  const started = Date.now();
  const deadline = started + plan.deadlineSeconds * 1000;
  const conditions: string[] = [];
  const cases: CaseResult[] = [];
  const findings: string[] = [];

  // Tools: in full mode everything must be there (scripts/bench.sh installs it); a smoke run
  // measures what it can and says what it skipped.
  const groups = [...opts.groups].filter((g) => {
    const missing = NEEDS[g].clients.filter((c) => !have(c));
    if (missing.length === 0) return true;
    if (opts.mode === 'full') throw new Error(`${g}: missing ${missing.join(', ')} (run scripts/bench.sh, which installs them)`);
    conditions.push(`${g} skipped: ${missing.join(', ')} not installed`);
    return false;
  });
  const peersFor = (g: BenchGroup): string[] =>
    Object.entries(NEEDS[g].peers)
      .filter(([name, bin]) => {
        if (have(bin)) return true;
        if (opts.mode === 'full') throw new Error(`${g}: peer ${name} (${bin}) is not installed (run scripts/bench.sh)`);
        conditions.push(`${g}: peer ${name} skipped (${bin} not installed)`);
        return false;
      })
      .map(([name]) => name);

  const workDir = mkdtempSync(path.join(os.tmpdir(), 'bootfleet-bench-'));
  const shmDir = mkdtempSync(path.join('/dev/shm', 'bootfleet-bench-'));
  const filesDir = path.join(shmDir, 'files');
  mkdirSync(filesDir, { mode: 0o755 });
  for (const d of [workDir, shmDir]) chmodSync(d, 0o755);
  const lanes = new Map<string, Lane>();
  const lane = (name: string): Lane => {
    let l = lanes.get(name);
    if (!l) {
      l = createLane(name);
      lanes.set(name, l);
    }
    return l;
  };
  const running: RunningServer[] = [];
  const track = (s: RunningServer): RunningServer => (running.push(s), s);
  const stop = async (s: RunningServer): Promise<void> => {
    const i = running.indexOf(s);
    if (i >= 0) running.splice(i, 1);
    await s.stop();
  };

  try {
    log(`bench: ${opts.mode} run, groups ${groups.join(', ')}; work ${workDir}, files ${filesDir}`);
    const ctx: BenchContext = {
      mode: opts.mode,
      plan,
      workDir,
      shmDir,
      filesDir,
      files: {
        tftp: makeTestFile(filesDir, 'tftp-big.bin', plan.tftpFileBytes),
        tftpConcurrent: makeTestFile(filesDir, 'tftp-mid.bin', plan.tftpConcurrentFileBytes),
        http: makeTestFile(filesDir, 'http-big.bin', plan.httpFileBytes),
      },
      log,
      checkDeadline() {
        if (Date.now() > deadline) throw new Error(`bench: deadline of ${plan.deadlineSeconds} s reached`);
      },
    };
    conditions.push(
      `${opts.mode} run; every server in its own pair of network namespaces joined by a veth (MTU 1500); servers take turns case by case (A B C, B C A, …)`,
      'files served from tmpfs; bootfleet is the real `bootfleet serve` (node, one process) with its SQLite lease store (WAL, synchronous=FULL) on the root disk; peers keep leases on tmpfs',
      'logging: bootfleet at warn, dnsmasq quiet-dhcp, kea WARN, nginx access_log off',
      'DHCP: every reply to the relay is captured (tcpdump in the client namespace) for the duplicate-lease check; that costs some CPU at the highest rates, for every server alike',
      'other work was running on this machine at the same time: absolute figures are noisy, ratios taken side by side are what to read',
    );

    let bootfleetFiles: RunningServer | null = null;
    const startFileServer = async (): Promise<RunningServer> =>
      track(await startBootfleet({ ns: lane(SUBJECT).server, dir: path.join(workDir, 'bootfleet-files'), dataDir: path.join(workDir, 'bootfleet-files', 'data'), filesDir, poolSize: 0, cpu: TFTP_CPU }));

    if (groups.includes('tftp')) {
      bootfleetFiles = await startFileServer();
      const targets: Target[] = [{ name: SUBJECT, lane: lane(SUBJECT), server: bootfleetFiles }];
      for (const peer of peersFor('tftp')) {
        const dir = path.join(workDir, `${peer}-tftp`);
        mkdirSync(dir, { recursive: true });
        const l = lane(peer);
        const server =
          peer === 'tftpd-hpa'
            ? await startTftpdHpa({ ns: l.server, dir, root: filesDir, cpu: TFTP_CPU })
            : peer === 'atftpd'
              ? await startAtftpd({ ns: l.server, dir, root: filesDir, cpu: TFTP_CPU })
              : await startDnsmasq({ ns: l.server, dir, leaseDir: shmDir, tftpRoot: filesDir, poolSize: 0, cpu: TFTP_CPU });
        targets.push({ name: peer, lane: l, server: track(server) });
      }
      cases.push(...(await tftpSingleCases(ctx, targets)));
      for (const t of targets) unpin(t.server);
      cases.push(...(await tftpConcurrentCases(ctx, targets)));
      for (const t of targets.slice(1)) await stop(t.server);
    }

    if (groups.includes('http')) {
      bootfleetFiles ??= await startFileServer();
      unpin(bootfleetFiles);
      const targets: Target[] = [{ name: SUBJECT, lane: lane(SUBJECT), server: bootfleetFiles }];
      for (const peer of peersFor('http')) {
        const dir = path.join(workDir, `${peer}-http`);
        mkdirSync(dir, { recursive: true });
        const l = lane(peer);
        targets.push({ name: peer, lane: l, server: track(await startNginx({ ns: l.server, dir, root: filesDir, port: 8080 })) });
      }
      cases.push(await httpFileCase(ctx, targets));
      cases.push(await httpScriptCase(ctx, targets));
      for (const t of targets.slice(1)) await stop(t.server);
    }
    if (bootfleetFiles) await stop(bootfleetFiles);

    if (groups.includes('dhcp')) {
      const fresh = (name: string, spec: DhcpCaseSpec, base: string): string => {
        const d = path.join(base, `${name}-dhcp-${spec.pool}-${spec.preload}-${Date.now()}`);
        mkdirSync(d, { recursive: true });
        return d;
      };
      const contenders: DhcpContender[] = [
        {
          name: SUBJECT,
          lane: lane(SUBJECT),
          start: async (spec) => {
            const dir = fresh(SUBJECT, spec, workDir);
            const dataDir = path.join(dir, 'data');
            if (spec.preload > 0) await preloadBootfleet(dataDir, preloadLeases(spec.pool, spec.preload), Date.now());
            return track(await startBootfleet({ ns: lane(SUBJECT).server, dir, dataDir, filesDir, poolSize: spec.pool }));
          },
        },
        ...peersFor('dhcp').map(
          (peer): DhcpContender => ({
            name: peer,
            lane: lane(peer),
            start: async (spec) => {
              const dir = fresh(peer, spec, workDir);
              const leaseDir = fresh(peer, spec, shmDir);
              const leases = preloadLeases(spec.pool, spec.preload);
              const nowSec = Math.floor(Date.now() / 1000);
              if (peer === 'kea') {
                if (leases.length > 0) writeKeaLeases(path.join(leaseDir, KEA_LEASE_FILE), leases, nowSec);
                return track(await startKea({ ns: lane(peer).server, dir, leaseDir, poolSize: spec.pool }));
              }
              if (leases.length > 0) writeDnsmasqLeases(path.join(leaseDir, DNSMASQ_LEASE_FILE), leases, nowSec);
              return track(await startDnsmasq({ ns: lane(peer).server, dir, leaseDir, poolSize: spec.pool }));
            },
          }),
        ),
      ];
      // The contenders' stop() comes from dhcpCases; drop them from `running` as they go.
      const before = running.length;
      cases.push(...(await dhcpCases(ctx, contenders)));
      running.splice(before);
    }

    if (groups.includes('storm')) {
      const withPeer = peersFor('storm').length === 2;
      // Each storm stops its own servers (tracked only so a failure cannot leave one behind).
      const before = running.length;
      cases.push(...(await stormCases(ctx, stormContenders(ctx, lane, track, withPeer))));
      running.splice(before);
    }

    if (groups.includes('boot')) {
      if (opts.mode === 'full') peersFor('boot');
      cases.push(...(await bootCases(ctx, (c) => conditions.push(c))));
    }

    if (opts.profile) {
      for (const f of await profileRuns(ctx, groups, cases, lane(SUBJECT))) findings.push(f);
    }
  } finally {
    for (const s of running.splice(0).reverse()) await s.stop().catch(() => undefined);
    for (const l of lanes.values()) await l.destroy();
    rmSync(shmDir, { recursive: true, force: true });
    rmSync(workDir, { recursive: true, force: true });
  }

  return {
    date: new Date(started).toISOString(),
    mode: opts.mode,
    seconds: (Date.now() - started) / 1000,
    machine: machineInfo(),
    conditions,
    cases,
    findings,
  };
}

/** One profiled load per group: the case where bootfleet is furthest behind its best peer. */
async function profileRuns(ctx: BenchContext, groups: BenchGroup[], cases: CaseResult[], lane: Lane): Promise<string[]> {
  const out: string[] = [];
  if (groups.includes('dhcp')) {
    const spec = ctx.plan.dhcpCases.find((x) => x.preload === 0 && x.pool === Math.max(...ctx.plan.dhcpCases.map((y) => y.pool))) ?? { pool: 1000, clients: 1000, preload: 0 };
    const pool = spec.pool;
    const dhcpCase = cases.find((c) => c.group === 'dhcp' && c.name === `DORA via relay, ${spec.clients} clients, pool ${pool}`);
    const best = dhcpCase ? summarize(samplesOf(dhcpCase, SUBJECT)).median : NaN;
    // Just past where it stops keeping up: the profile then shows what it saturates on.
    const rate = Math.max(100, Math.round((Number.isFinite(best) ? best : 100) * 2));
    const p = await profileBootfleet(ctx, lane, `DHCP pool ${pool} at ${rate}/s`, pool, async () => {
      await perfdhcpRun(lane, spec.clients, rate, ctx.plan.dhcpSeconds, ctx.shmDir);
    });
    out.push(describeProfile(p));
  }
  if (groups.includes('tftp')) {
    const file = ctx.files.tftp;
    const p = await profileBootfleet(ctx, lane, `TFTP curl blksize 8192, ${file.bytes / MiB} MiB ×3`, 0, async () => {
      for (let i = 0; i < 3; i++) {
        await runIn(lane.client, 'curl', ['-sS', '--tftp-blksize', '8192', '-o', '/dev/null', `tftp://198.18.0.2/${file.name}`], { timeoutMs: 120_000, cpu: TFTP_CPU });
      }
    }, TFTP_CPU);
    out.push(describeProfile(p));
  }
  if (groups.includes('http')) {
    const big = ctx.files.http;
    const file = await profileBootfleet(ctx, lane, `HTTP curl GET ${big.bytes / MiB} MiB ×3`, 0, async () => {
      for (let i = 0; i < 3; i++) {
        await runIn(lane.client, 'curl', ['-sS', '-o', '/dev/null', `http://198.18.0.2:8080/${big.name}`], { timeoutMs: 120_000 });
      }
    });
    out.push(describeProfile(file));
    const p = await profileBootfleet(ctx, lane, 'HTTP wrk /boot.ipxe', 0, async () => {
      await runIn(lane.client, 'wrk', ['-t1', '-c32', `-d${ctx.plan.wrkSeconds}s`, `http://${LANE.serverAddr}:${HTTP_PORT}${SCRIPT_PATH}`], { timeoutMs: 60_000 });
    });
    out.push(describeProfile(p));
  }
  return out;
}
