import { LineCounter, parseDocument, type Document } from 'yaml';
import { formatProblem, type ConfigProblem } from './config-problem.js';
import type { PathFinding } from './issue-message.js';
import { formatPath, locate, toPosition } from './yaml-locate.js';

/** One parsed YAML file, kept so that findings can be placed at their line. */
export interface YamlSource {
  /** The file name as shown in problems. */
  file: string;
  doc: Document;
  lineCounter: LineCounter;
}

export type YamlParse = { ok: true; source: YamlSource; raw: unknown; warnings: string[] } | { ok: false; errors: ConfigProblem[] };

/**
 * Parses YAML text (syntax only) the one way every bootfleet YAML file is read: YAML 1.2
 * core schema (`off` and `yes` stay strings), duplicate keys refused, aliases capped.
 */
export function parseYamlSource(text: string, file: string): YamlParse {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const warnings = doc.warnings.map((w) => formatProblem(yamlProblem(file, lineCounter, w.pos[0], w.message)));
  if (doc.errors.length > 0) {
    return { ok: false, errors: sortProblems(doc.errors.map((e) => yamlProblem(file, lineCounter, e.pos[0], e.message))) };
  }
  try {
    return { ok: true, source: { file, doc, lineCounter }, raw: doc.toJS({ maxAliasCount: 100 }), warnings };
  } catch (e) {
    // Alias bombs ("billion laughs") end here.
    return { ok: false, errors: [yamlProblem(file, lineCounter, 0, e instanceof Error ? e.message : String(e))] };
  }
}

/** A finding placed at the line of its node in `source`. */
export function placeFinding(source: YamlSource, f: PathFinding): ConfigProblem {
  const { line, column } = locate(source.doc, source.lineCounter, f.path, f.atKey);
  return { file: source.file, line, column, key: formatPath(f.path), code: f.code, message: f.message };
}

function yamlProblem(file: string, lineCounter: LineCounter, offset: number, message: string): ConfigProblem {
  const { line, column } = toPosition(lineCounter, offset);
  return { file, line, column, key: '', code: 'CFG_YAML', message: `YAML: ${message}` };
}

/** By position; problems of one file only. */
export function sortProblems(problems: ConfigProblem[]): ConfigProblem[] {
  return problems.sort((a, b) => a.line - b.line || a.column - b.column);
}
