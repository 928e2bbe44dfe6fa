// Preload for a bootfleet server (NF="--import <repo>/bench/tools/heap-sample.mjs" with dhcp-cpu.mjs): samples what
// each thread allocates, objects already collected included (V8's sampling heap profiler with the minor/major GC
// flags), from HS_DELAY ms after start (default 9000) for HS_SECONDS (default 5), into /tmp/heap-<threadId>.json
// (thread 0 = the event loop). Summarise with heap-top.mjs.
import inspector from 'node:inspector';
import { writeFileSync } from 'node:fs';
import { threadId } from 'node:worker_threads';
const session = new inspector.Session();
session.connect();
const post = (method, params) => new Promise((resolve, reject) => session.post(method, params ?? {}, (e, r) => (e ? reject(e) : resolve(r))));
await post('HeapProfiler.enable');
setTimeout(async () => {
  // HS_LIVE=1: only what is still alive when sampling stops (what the heap retains, by allocation site).
  const all = process.env.HS_LIVE !== '1';
  await post('HeapProfiler.startSampling', { samplingInterval: 2048, includeObjectsCollectedByMajorGC: all, includeObjectsCollectedByMinorGC: all });
  setTimeout(async () => {
    const { profile } = await post('HeapProfiler.stopSampling');
    writeFileSync(`/tmp/heap-${threadId}.json`, JSON.stringify(profile));
  }, Number(process.env.HS_SECONDS ?? 5) * 1000).unref();
}, Number(process.env.HS_DELAY ?? 9000)).unref();
