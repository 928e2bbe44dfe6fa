/**
 * `bootfleet profiles apply -f FILE`: every profile in the file is checked first (with file,
 * line and key, as `check-config` does); only a file with no problem is sent. Profiles that
 * already match are left alone, so applying twice changes nothing.
 */
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { formatProblem } from '../config/config-problem.js';
import { findingsFromIssues } from '../config/issue-message.js';
import { fleetObjectName, profileSchema } from '../config/schema.js';
import { formatPath, locate } from '../config/yaml-locate.js';
import { profileOut } from '../api/api-schemas.js';
import { canonical } from '../fleet/declared-fleet.js';
import { specOf } from '../fleet/group.js';
import { ApiRequestError, type ApiClient } from './api-client.js';

const fileSchema = z.object({ profiles: z.record(fleetObjectName, profileSchema) }).strict();

type Outcome = { name: string; result: 'created' | 'updated' | 'unchanged' } | { name: string; result: 'failed'; error: string };

export async function applyProfilesFile(file: string, run: (body: (api: ApiClient) => Promise<string>) => Promise<number>, asJson: boolean): Promise<number> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    process.stderr.write(`${file}: cannot read the file (${e instanceof Error && 'code' in e ? String(e.code) : String(e)})\n`);
    return 1;
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      const { line, col } = lineCounter.linePos(e.pos[0]);
      process.stderr.write(formatProblem({ file, line, column: col, key: '', message: `YAML: ${e.message}` }) + '\n');
    }
    return 1;
  }
  const parsed = fileSchema.safeParse(doc.toJS({ maxAliasCount: 100 }) ?? {});
  if (!parsed.success) {
    for (const f of findingsFromIssues(parsed.error.issues, fileSchema)) {
      const { line, column } = locate(doc, lineCounter, f.path, f.atKey);
      process.stderr.write(formatProblem({ file, line, column, key: formatPath(f.path), message: f.message }) + '\n');
    }
    process.stderr.write(`${file}: nothing applied\n`);
    return 1;
  }
  const wanted = Object.entries(parsed.data.profiles);
  let failed = 0;
  const code = await run(async (api) => {
    const existing = new Map(z.array(profileOut).parse(await api.get('/profiles')).map((p) => [p.name, p]));
    const outcomes: Outcome[] = [];
    for (const [name, p] of wanted) {
      const had = existing.get(name);
      if (had && canonical(specOf(had)) === canonical(p)) {
        outcomes.push({ name, result: 'unchanged' });
        continue;
      }
      try {
        const r = await api.put(`/profiles/${encodeURIComponent(name)}`, p);
        outcomes.push({ name, result: r.status === 201 ? 'created' : 'updated' });
      } catch (err) {
        // One refused profile (declared in the config, say) does not stop the others.
        if (!(err instanceof ApiRequestError)) throw err;
        failed++;
        outcomes.push({ name, result: 'failed', error: err.message });
      }
    }
    if (asJson) return JSON.stringify(outcomes, null, 2);
    return outcomes.map((o) => `profile ${o.name}: ${o.result}${o.result === 'failed' ? ` (${o.error})` : ''}`).join('\n') || 'no profiles in the file';
  });
  return code !== 0 ? code : failed > 0 ? 1 : 0;
}
