import { readFileSync } from 'node:fs';
import path from 'node:path';
import { formatProblem, type ConfigProblem } from './config-problem.js';
import { deepFreeze } from './deep-freeze.js';
import { mergeFleetParts, readFleetDir, type FleetPart } from './fleet-dir.js';
import { findingsFromIssues, type PathFinding } from './issue-message.js';
import { configSchema, type BootfleetConfig } from './schema.js';
import { checkSemantics } from './semantic-checks.js';
import { parseYamlSource, placeFinding, sortProblems } from './yaml-source.js';

export { formatProblems, type ConfigProblem, type ConfigProblemCode } from './config-problem.js';

/** A loaded config (deep-frozen, paths absolute) with warnings, or every problem found. */
export type ConfigResult =
  | { ok: true; config: BootfleetConfig; warnings: string[] }
  | { ok: false; errors: ConfigProblem[] };

/**
 * Reads and checks a config file and the files of its `fleetDir`. Relative paths in it (dataDir, tftp.root, tftp.ipxeDir,
 * http.root, fleetDir) are taken relative to the file's directory, not the working directory, so
 * `bootfleet serve -c /etc/bootfleet/bootfleet.yaml` means the same from anywhere.
 */
export function loadConfigFile(file: string): ConfigResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const reason = e instanceof Error && 'code' in e ? String(e.code) : String(e);
    return { ok: false, errors: [{ file, line: 0, column: 0, key: '', code: 'CFG_READ', message: `cannot read the file (${reason})` }] };
  }
  return parseConfigText(text, file);
}

/**
 * Checks config text in three passes, each reporting everything it finds: YAML syntax,
 * then the schema (of this file and of every `fleetDir` file), then rules across values
 * (see semantic-checks.ts) on the merged fleet. A later pass runs only when the earlier
 * ones found nothing, since its findings would be noise. `fileName` names the file in
 * problems and anchors relative paths (`fleetDir` included).
 */
export function parseConfigText(text: string, fileName: string): ConfigResult {
  const yaml = parseYamlSource(text, fileName);
  if (!yaml.ok) return { ok: false, errors: yaml.errors };
  const main = yaml.source;
  const warnings = [...yaml.warnings];
  const parsed = configSchema.safeParse(yaml.raw ?? {}, { reportInput: true });
  if (!parsed.success) {
    const findings = findingsFromIssues(parsed.error.issues, configSchema);
    return { ok: false, errors: sortProblems(findings.map((f) => placeFinding(main, f))) };
  }
  const dir = path.dirname(path.resolve(fileName));
  const parts: FleetPart[] = [{ source: main, fleet: { profiles: parsed.data.profiles, groups: parsed.data.groups, machines: parsed.data.machines } }];
  if (parsed.data.fleetDir !== undefined) {
    const fleetDir = parsed.data.fleetDir;
    const files = readFleetDir(path.resolve(dir, fleetDir), path.isAbsolute(fleetDir) ? fleetDir : path.join(path.dirname(fileName), fleetDir));
    if (!files.ok) {
      if ('errors' in files) return { ok: false, errors: files.errors };
      const at = placeFinding(main, { path: ['fleetDir'], atKey: false, code: 'CFG_READ', message: `cannot read the folder ${path.resolve(dir, fleetDir)} (${files.unreadable})` });
      return { ok: false, errors: [at] };
    }
    warnings.push(...files.warnings);
    parts.push(...files.parts);
  }
  const merged = mergeFleetParts(parts);
  if (merged.errors.length > 0) return { ok: false, errors: merged.errors };
  const config: BootfleetConfig = { ...parsed.data, profiles: merged.profiles, groups: merged.groups, machines: merged.machines };
  // Findings about a fleet object are placed in the file that declares it.
  const place = (f: PathFinding): ConfigProblem => {
    const from = merged.origin(f.path);
    return from ? placeFinding(from.source, { ...f, path: from.path }) : placeFinding(main, f);
  };
  const semantic = checkSemantics(config);
  if (semantic.errors.length > 0) return { ok: false, errors: byFile(semantic.errors.map(place), parts) };
  for (const w of semantic.warnings) warnings.push(formatProblem(place(w)));
  return { ok: true, config: deepFreeze(resolvePaths(config, dir)), warnings };
}

/** Grouped by file in reading order, by position within each. */
function byFile(problems: ConfigProblem[], parts: readonly FleetPart[]): ConfigProblem[] {
  return parts.flatMap((p) => sortProblems(problems.filter((x) => x.file === p.source.file)));
}

function resolvePaths(config: BootfleetConfig, dir: string): BootfleetConfig {
  return {
    ...config,
    dataDir: path.resolve(dir, config.dataDir),
    tftp: { ...config.tftp, root: path.resolve(dir, config.tftp.root), ipxeDir: path.resolve(dir, config.tftp.ipxeDir) },
    http: { ...config.http, root: path.resolve(dir, config.http.root) },
    ...(config.fleetDir !== undefined ? { fleetDir: path.resolve(dir, config.fleetDir) } : {}),
  };
}
