import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { formatMarkdown, type BenchReport } from './report.js';

/** Writes `<date>-<mode>.json` and `.md` into `outDir`; returns their paths. */
export function writeReport(report: BenchReport, outDir: string): { json: string; md: string } {
  mkdirSync(outDir, { recursive: true });
  const stem = `${report.date.replace(/[:.]/g, '-')}-${report.mode}`;
  const json = path.join(outDir, `${stem}.json`);
  const md = path.join(outDir, `${stem}.md`);
  writeFileSync(json, JSON.stringify(report, null, 2) + '\n');
  writeFileSync(md, formatMarkdown(report));
  return { json, md };
}
