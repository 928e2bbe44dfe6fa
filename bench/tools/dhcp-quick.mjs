// usage (root, after npx tsc -p .): node bench/tools/dhcp-quick.mjs <repo or worktree> <pool> <preloaded leases> <rate,rate,...> [prof]
// A quick DHCP ramp of bootfleet alone (5 s per rate): completed DORA/s and loss per rate; 'prof' adds a V8 CPU profile's hottest functions.
import path from 'node:path';
import { mkdirSync, rmSync, readdirSync, readFileSync } from 'node:fs';
const [wt, poolS, preloadS, ratesS, prof] = process.argv.slice(2);
const d = (p) => path.join(wt, 'dist', p);
const { createLane, LANE } = await import(d('bench/lane.js'));
const { startBootfleet } = await import(d('bench/servers/bootfleet.js'));
const { perfdhcpRun } = await import(d('bench/dhcp-bench.js'));
const { preloadBootfleet, preloadLeases } = await import(d('bench/preload.js'));
const { hotFunctions } = await import(d('bench/cpu-profile.js'));
const pool = Number(poolS), preload = Number(preloadS);
const dir = '/var/tmp/dq-' + Date.now(); mkdirSync(dir, { recursive: true });
const files = path.join(dir, 'files'); mkdirSync(files);
const lane = createLane('dqbf');
const profDir = path.join(dir, 'prof');
let server;
try {
  const dataDir = path.join(dir, 'data');
  if (preload > 0) await preloadBootfleet(dataDir, preloadLeases(pool, preload), Date.now());
  server = await startBootfleet({ ns: lane.server, dir, dataDir, filesDir: files, poolSize: pool,
    nodeFlags: prof ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`, '--cpu-prof-interval=200'] : [], ...(process.env.NF ? { nodeFlags: process.env.NF.split(' ') } : {}) });
  for (const r of ratesS.split(',').map(Number)) {
    const s = await perfdhcpRun(lane, pool, r, 5, '/dev/shm');
    console.log(`rate ${r}: achieved ${s.achieved.toFixed(0)}/s loss ${(s.loss*100).toFixed(2)}% clean=${s.clean} acks=${s.acks.length}`);
  }
  for (const ns of [lane.client, lane.server]) console.log(ns.name, ns.run('nstat', ['-az']).split('\n').filter((l) => /UdpRcvbufErrors|UdpInDatagrams/.test(l)).join(' | '));
} finally {
  if (server) await server.stop();
  await lane.destroy();
}
if (prof) {
  const f = readdirSync(profDir).find((x) => x.endsWith('.cpuprofile'));
  if (f) for (const h of hotFunctions(readFileSync(path.join(profDir, f), 'utf8'), 30)) console.log(`${(h.share*100).toFixed(1)}% ${h.where}`);
  console.log(path.join(profDir, f));
}
if (!prof) rmSync(dir, { recursive: true, force: true });
