// usage (root, after npx tsc -p .): node bench/tools/dhcp-cpu.mjs <repo or worktree> <pool> <rate> <seconds> [kea]
// Runs bootfleet (or Kea) in a bench lane and perfdhcp at one steady rate; prints each server thread's user + system CPU
// per DORA (/proc/<pid>/task), and UdpRcvbufErrors on both sides. PERF=1: perf record of the server to /tmp/dq/perf.data
// (needs perf); PRELOAD=n: n leases held beforehand (bootfleet only), pool − n clients; NF='--flag ...': node flags for bootfleet (the server's log is kept in /tmp/dq-last-server.log). Compare servers at the same rate: CPU per DORA falls with rate.
import path from 'node:path';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { execSync } from 'node:child_process';
const [wt, poolS, rateS, secS, who] = process.argv.slice(2);
const d = (p) => path.join(wt, 'dist', p);
const { createLane } = await import(d('bench/lane.js'));
const { perfdhcpRun } = await import(d('bench/dhcp-bench.js'));
const pool = Number(poolS), rate = Number(rateS), secs = Number(secS);
// PRELOAD=n: n leases held before the run (the top of the pool, as the bench's preloaded case); pool − n clients.
const preload = Number(process.env.PRELOAD ?? 0);
const dir = '/var/tmp/dq-' + Date.now(); mkdirSync(dir, { recursive: true });
const files = path.join(dir, 'files'); mkdirSync(files);
const lane = createLane('dqbf');
function threads(pid) {
  const out = {};
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try {
      const s = readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8');
      const name = s.slice(s.indexOf('(') + 1, s.lastIndexOf(')'));
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      out[`${name}#${t}`] = [Number(f[11]), Number(f[12])];
    } catch {}
  }
  return out;
}
let server;
try {
  if (who === 'kea') {
    const { startKea } = await import(d('bench/servers/kea.js'));
    server = await startKea({ ns: lane.server, dir, poolSize: pool, leaseDir: '/dev/shm' });
  } else {
    const { startBootfleet } = await import(d('bench/servers/bootfleet.js'));
    if (preload > 0) {
      const { preloadBootfleet, preloadLeases } = await import(d('bench/preload.js'));
      await preloadBootfleet(path.join(dir, 'data'), preloadLeases(pool, preload), Date.now());
    }
    server = await startBootfleet({ ns: lane.server, dir, dataDir: path.join(dir, 'data'), filesDir: files, poolSize: pool, nodeFlags: [...(process.env.PERF ? ['--perf-basic-prof'] : []), ...(process.env.NF ? process.env.NF.split(' ') : [])] });
  }
  const before = threads(server.pid);
  const t0 = Date.now();
  let pfCpu = 0;
  const p = perfdhcpRun(lane, pool - preload, rate, secs, '/dev/shm');
  if (process.env.PERF) { await new Promise((r) => setTimeout(r, 1500)); execSync(`perf record -F 2000 -g -p ${server.pid} -o /tmp/dq/perf.data -- sleep 3 2>/dev/null`); await new Promise((r) => setTimeout(r, (secs - 5) * 1000)); }
  else await new Promise((r) => setTimeout(r, (secs - 0.5) * 1000));
  try { const pid = execSync('pgrep -n perfdhcp').toString().trim(); const t = threads(pid); pfCpu = Object.values(t).reduce((a, b) => a + b[0] + b[1], 0); } catch {}
  const s = await p;
  const after = threads(server.pid);
  const el = (Date.now() - t0) / 1000;
  console.log(`${who ?? 'bootfleet'} rate ${rate}: achieved ${s.achieved.toFixed(0)}/s loss ${(s.loss * 100).toFixed(2)}% elapsed ${el.toFixed(1)}s perfdhcp cpu ${(pfCpu / 100).toFixed(2)}s`);
  const done = s.result?.requestAck?.received ?? 1;
  for (const k of Object.keys(after)) { const b = before[k] ?? [0,0]; const u = (after[k][0]-b[0])/100, y=(after[k][1]-b[1])/100; if (u+y > 0.02) console.log(`  ${k}: user ${(u*1e6/done).toFixed(1)} + sys ${(y*1e6/done).toFixed(1)} µs/DORA`); }
  for (const ns of [lane.client, lane.server]) console.log(ns.name, ns.run('nstat', ['-az']).split('\n').filter((l) => /UdpRcvbufErrors|UdpInDatagrams/.test(l)).join(' | '));
} finally {
  if (server) await server.stop();
  try { execSync(`cp ${path.join(dir, 'bootfleet.log')} /tmp/dq-last-server.log 2>/dev/null`); } catch {}
  await lane.destroy();
  rmSync(dir, { recursive: true, force: true });
}
