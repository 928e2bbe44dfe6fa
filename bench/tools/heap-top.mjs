// usage: node bench/tools/heap-top.mjs /tmp/heap-0.json <DORAs in the sampled seconds>
// Bytes allocated per DORA by allocating function (self), and by function including what it calls.
import { readFileSync } from 'node:fs';
const [file, dorasS] = process.argv.slice(2);
const doras = Number(dorasS);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const self = new Map();
const incl = new Map();
let total = 0;
const add = (m, k, v) => m.set(k, (m.get(k) ?? 0) + v);
(function walk(node, stack) {
  const cf = node.callFrame;
  const name = `${cf.functionName || '(anon)'} ${cf.url.split('/').pop()}:${cf.lineNumber + 1}`;
  const here = [...stack, name];
  const size = node.selfSize ?? 0;
  total += size;
  if (size > 0) {
    add(self, name, size);
    for (const f of new Set(here)) add(incl, f, size);
  }
  for (const c of node.children ?? []) walk(c, here);
})(profile.head, []);
const show = (title, m) => {
  console.log(`--- ${title}`);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`${((100 * v) / total).toFixed(1).padStart(5)}% ${(v / doras).toFixed(0).padStart(7)} B/DORA  ${k}`);
};
console.log(`sampled ${(total / 1e6).toFixed(1)} MB, ${(total / doras).toFixed(0)} B per DORA`);
show('self', self);
show('including callees', incl);
