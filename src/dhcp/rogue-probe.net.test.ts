/**
 * Start-up safety with the real `bootfleet serve`, inside namespaces this test creates
 * (198.18.0.0/24 only), torn down afterwards.
 *
 *   [srv ns]    bf0  198.18.0.2  bootfleet serve (full or proxy) ──┐
 *   [router ns] eth0 198.18.0.1  dnsmasq, default settings ─────────┴── br0 (lan ns)
 *
 * dnsmasq runs as a LAN router would, with its ping check (it offers ≈3 s after a new client's
 * first DISCOVER), and the probe time is the default: the default must catch it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import type { ChildProcess } from 'node:child_process';
import { stringify } from 'yaml';
import { canUseNetns, destroyAll, type Netns } from '../lab/netns.js';
import { addClientNs, bootLab, type Lab } from '../lab/topology.js';
import { startDnsmasq, type Dnsmasq } from '../lab/dnsmasq.js';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../cli/main.js');
const skip = canUseNetns() ? false : 'needs root and iproute2 (network namespaces)';
const ROUTER = '198.18.0.1';

interface Run {
  child: ChildProcess;
  /** stdout lines, and stderr lines prefixed `stderr: `, in arrival order. */
  lines: string[];
  /** Resolves with 'ready', or the exit code when it ended first. */
  outcome: Promise<'ready' | number>;
}

interface Event {
  kind: string;
  level: string;
  data?: Record<string, unknown>;
}

function events(run: Run): Event[] {
  return run.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Event);
}

describe('bootfleet serve: the start-up probe for other DHCP servers', { skip, timeout: 120_000 }, () => {
  let work: string;
  let lab: Lab;
  let router: Netns;
  let dnsmasq: Dnsmasq | null = null;
  const running: Run[] = [];
  let runs = 0;

  /** Starts `bootfleet serve` in the server namespace with `config`, log format json. */
  function serve(config: Record<string, unknown>, args: string[] = []): Run {
    const dir = path.join(work, `run${runs++}`);
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'bootfleet.yaml');
    writeFileSync(
      file,
      stringify({
        dataDir: path.join(dir, 'data'),
        log: { level: 'info', format: 'json' },
        tftp: { root: path.join(work, 'tftp') },
        http: { root: path.join(work, 'http') },
        api: { enabled: false },
        ...config,
      }),
    );
    const child = lab.server.spawn(process.execPath, [CLI, 'serve', '-c', file, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let onReady: () => void = () => {};
    const ready = new Promise<'ready'>((resolve) => (onReady = () => resolve('ready')));
    createInterface({ input: child.stdout! }).on('line', (l) => {
      lines.push(l);
      if (l === 'bootfleet: ready') onReady();
    });
    createInterface({ input: child.stderr! }).on('line', (l) => lines.push(`stderr: ${l}`));
    // 'close' comes after the pipes are drained, so every line is in by then.
    const exited = new Promise<number>((resolve) => child.once('close', (code) => resolve(code ?? -1)));
    const run: Run = { child, lines, outcome: Promise.race([ready, exited]) };
    running.push(run);
    return run;
  }

  const fullConfig = (iface: Record<string, unknown> = {}): Record<string, unknown> => ({
    interfaces: [{ name: lab.serverIf, mode: 'full', ...iface }],
    dhcp: { subnets: [{ subnet: '198.18.0.0/24', pools: [{ start: '198.18.0.160', end: '198.18.0.170' }] }] },
  });

  before(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'bootfleet-probe-'));
    chmodSync(work, 0o755);
    mkdirSync(path.join(work, 'tftp'));
    mkdirSync(path.join(work, 'http'));
    lab = await bootLab({ taps: 0 });
    router = addClientNs(lab, 'router');
    router.run('ip', ['addr', 'add', `${ROUTER}/24`, 'dev', 'eth0']);
    router.run('ip', ['link', 'set', 'eth0', 'up']);
    dnsmasq = await startDnsmasq({ ns: router, iface: 'eth0', logDir: path.join(work, 'dnsmasq'), args: ['--dhcp-range=198.18.0.100,198.18.0.150,1h'] });
  });

  after(async () => {
    for (const r of running) await lab.server.stop(r.child);
    await dnsmasq?.stop();
    await lab?.destroy();
    await destroyAll();
    rmSync(work, { recursive: true, force: true });
  });

  test('full mode beside dnsmasq: refuses, exit 3, naming the interface, dnsmasq\'s address and the overrides', async (t) => {
    const t0 = Date.now();
    const run = serve(fullConfig());
    const outcome = await run.outcome;
    const text = run.lines.join('\n');
    assert.equal(outcome, 3, text);
    const refusal = run.lines.find((l) => l.startsWith('stderr: bootfleet: not started: refusing full-mode DHCP'));
    assert.ok(refusal, text);
    assert.match(refusal, /bf0/);
    assert.match(refusal, /198\.18\.0\.1/);
    assert.match(refusal, /allowOtherDhcp: true/);
    assert.match(refusal, /--allow-other-dhcp/);
    const found = events(run).filter((e) => e.kind === 'dhcp.other-server');
    assert.equal(found.length, 1, text);
    assert.equal(found[0]?.data?.['serverId'], ROUTER);
    assert.match(String(found[0]?.data?.['offered']), /^198\.18\.0\.1\d\d$/);
    assert.match(String(found[0]?.data?.['serverMac']), /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    // Nothing of ours was listening: no DHCP socket opened, no lease database created.
    assert.equal(events(run).filter((e) => e.kind === 'dhcp.listen').length, 0);
    assert.match(dnsmasq!.logText(), /DHCPDISCOVER\(eth0\)/);
    t.diagnostic(`refused after ${Date.now() - t0} ms (dnsmasq pings before its first offer)`);
  });

  test('full mode beside dnsmasq with --allow-other-dhcp: starts, with a warning', async () => {
    const run = serve(fullConfig(), ['--allow-other-dhcp']);
    assert.equal(await run.outcome, 'ready', run.lines.join('\n'));
    assert.ok(run.lines.some((l) => /^bootfleet: warning: dhcp probe on bf0 \(full\).*--allow-other-dhcp/.test(l)), run.lines.join('\n'));
    assert.equal(events(run).find((e) => e.kind === 'dhcp.other-server')?.data?.['allowed'], true);
    await lab.server.stop(run.child);
  });

  test('full mode beside dnsmasq with interfaces[].allowOtherDhcp: true: starts', async () => {
    const run = serve(fullConfig({ allowOtherDhcp: true }));
    assert.equal(await run.outcome, 'ready', run.lines.join('\n'));
    assert.ok(run.lines.some((l) => /^bootfleet: dhcp probe on bf0 \(full\): DHCP server 198\.18\.0\.1 /.test(l)));
    await lab.server.stop(run.child);
  });

  test('proxy mode: starts and names the LAN\'s DHCP server, before its own DHCP sockets open and before ready', async () => {
    const run = serve({ interfaces: [{ name: lab.serverIf, mode: 'proxy' }] });
    assert.equal(await run.outcome, 'ready', run.lines.join('\n'));
    const line = run.lines.findIndex((l) => /^bootfleet: dhcp probe on bf0 \(proxy\): DHCP server 198\.18\.0\.1 \(MAC [0-9a-f:]{17}, offered 198\.18\.0\.1\d\d/.test(l));
    assert.ok(line >= 0, run.lines.join('\n'));
    const listen = run.lines.findIndex((l) => l.includes('"kind":"dhcp.listen"'));
    const found = run.lines.findIndex((l) => l.includes('"kind":"dhcp.other-server"'));
    const ready = run.lines.indexOf('bootfleet: ready');
    const served = run.lines.findIndex((l) => /^bootfleet: interface bf0 198\.18\.0\.2\/255\.255\.255\.0: proxy DHCP/.test(l));
    assert.ok(served >= 0 && served < line, 'what is served is printed first');
    assert.ok(found >= 0 && found < listen && line < listen && listen < ready, run.lines.join('\n'));
    await lab.server.stop(run.child);
  });

  test('no other server: full mode starts after the probe and says none answered', async (t) => {
    await dnsmasq?.stop();
    dnsmasq = null;
    const t0 = Date.now();
    const run = serve({ ...fullConfig(), dhcp: { ...(fullConfig()['dhcp'] as object), probeSeconds: 1 } });
    assert.equal(await run.outcome, 'ready', run.lines.join('\n'));
    const elapsed = Date.now() - t0;
    assert.ok(run.lines.includes('bootfleet: dhcp probe on bf0 (full): no other DHCP server answered in 1 s'), run.lines.join('\n'));
    assert.equal(events(run).filter((e) => e.kind === 'dhcp.other-server').length, 0);
    assert.equal(events(run).find((e) => e.kind === 'dhcp.probe')?.data?.['found'], 0);
    assert.ok(elapsed >= 1000, `listened the whole second (${elapsed} ms)`);
    t.diagnostic(`ready after ${elapsed} ms with probeSeconds: 1`);
    await lab.server.stop(run.child);
  });
});
