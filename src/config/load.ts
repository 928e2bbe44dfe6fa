import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { formatProblem, type ConfigProblem } from './config-problem.js';
import { deepFreeze } from './deep-freeze.js';
import { findingsFromIssues, type PathFinding } from './issue-message.js';
import { configSchema, type BootfleetConfig } from './schema.js';
import { checkSemantics } from './semantic-checks.js';
import { formatPath, locate, toPosition } from './yaml-locate.js';

export { formatProblems, type ConfigProblem, type ConfigProblemCode } from './config-problem.js';

/** A loaded config (deep-frozen, paths absolute) with warnings, or every problem found. */
export type ConfigResult =
  | { ok: true; config: BootfleetConfig; warnings: string[] }
  | { ok: false; errors: ConfigProblem[] };

/**
 * Reads and checks a config file. Relative paths in it (dataDir, tftp.root, tftp.ipxeDir,
 * http.root) are taken relative to the file's directory, not the working directory, so
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
 * then the schema, then rules across values (see semantic-checks.ts). A later pass runs
 * only when the earlier ones found nothing, since its findings would be noise.
 * `fileName` names the file in problems and anchors relative paths.
 */
export function parseConfigText(text: string, fileName: string): ConfigResult {
  const lineCounter = new LineCounter();
  // YAML 1.2 core schema (the default): `off` and `yes` stay strings, so `mode: off` works.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const warnings = doc.warnings.map((w) => formatYamlError(fileName, lineCounter, w.pos[0], w.message));
  if (doc.errors.length > 0) {
    const errors = doc.errors.map((e) => yamlProblem(fileName, lineCounter, e.pos[0], e.message));
    return { ok: false, errors: sortProblems(errors) };
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    // Alias bombs ("billion laughs") end here.
    return { ok: false, errors: [yamlProblem(fileName, lineCounter, 0, e instanceof Error ? e.message : String(e))] };
  }
  const parsed = configSchema.safeParse(raw ?? {}, { reportInput: true });
  if (!parsed.success) {
    const findings = findingsFromIssues(parsed.error.issues, configSchema);
    return { ok: false, errors: sortProblems(findings.map((f) => place(fileName, doc, lineCounter, f))) };
  }
  const semantic = checkSemantics(parsed.data);
  if (semantic.errors.length > 0) {
    return { ok: false, errors: sortProblems(semantic.errors.map((f) => place(fileName, doc, lineCounter, f))) };
  }
  for (const w of semantic.warnings) warnings.push(formatProblem(place(fileName, doc, lineCounter, w)));
  const config = resolvePaths(parsed.data, path.dirname(path.resolve(fileName)));
  return { ok: true, config: deepFreeze(config), warnings };
}

function place(file: string, doc: Document, lineCounter: LineCounter, f: PathFinding): ConfigProblem {
  const { line, column } = locate(doc, lineCounter, f.path, f.atKey);
  return { file, line, column, key: formatPath(f.path), code: f.code, message: f.message };
}

function yamlProblem(file: string, lineCounter: LineCounter, offset: number, message: string): ConfigProblem {
  const { line, column } = toPosition(lineCounter, offset);
  return { file, line, column, key: '', code: 'CFG_YAML', message: `YAML: ${message}` };
}

function formatYamlError(file: string, lineCounter: LineCounter, offset: number, message: string): string {
  return formatProblem(yamlProblem(file, lineCounter, offset, message));
}

function sortProblems(problems: ConfigProblem[]): ConfigProblem[] {
  return problems.sort((a, b) => a.line - b.line || a.column - b.column);
}

function resolvePaths(config: BootfleetConfig, dir: string): BootfleetConfig {
  return {
    ...config,
    dataDir: path.resolve(dir, config.dataDir),
    tftp: { ...config.tftp, root: path.resolve(dir, config.tftp.root), ipxeDir: path.resolve(dir, config.tftp.ipxeDir) },
    http: { ...config.http, root: path.resolve(dir, config.http.root) },
  };
}
