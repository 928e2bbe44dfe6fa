import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter } from 'yaml';

/** A path into the config as zod reports it: object keys and array indices. */
export type ConfigPath = readonly PropertyKey[];

export interface SourcePosition {
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

/**
 * Where `path` sits in the YAML source: the start of its value node, or of the nearest
 * parent node that exists (a missing key points at the mapping that lacks it).
 * With `atKey`, points at the last key itself rather than its value (for unknown keys).
 * Aliases are followed, so a problem inside an anchored block points at the anchor.
 */
export function locate(doc: Document, lineCounter: LineCounter, path: ConfigPath, atKey = false): SourcePosition {
  let node: unknown = doc.contents;
  let offset = rangeStart(node) ?? 0;
  for (let i = 0; i < path.length; i++) {
    if (isAlias(node)) node = node.resolve(doc);
    const segment = path[i];
    let keyNode: unknown = null;
    let next: unknown = undefined;
    if (isMap(node)) {
      const pair = node.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === String(segment));
      if (!pair) break;
      keyNode = pair.key;
      next = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      next = node.items[segment];
      if (next === undefined) break;
    } else {
      break;
    }
    const last = i === path.length - 1;
    const keyOffset = rangeStart(keyNode);
    if (last && atKey && keyOffset !== undefined) return toPosition(lineCounter, keyOffset);
    const valueOffset = rangeStart(next);
    // `mode:` with nothing after it has no value node, or an empty one placed after the
    // colon: point at the key.
    if (valueOffset === undefined || (isScalar(next) && next.range && next.range[0] === next.range[1])) {
      if (keyOffset !== undefined) offset = keyOffset;
      break;
    }
    offset = valueOffset;
    node = next;
  }
  return toPosition(lineCounter, offset);
}

function rangeStart(node: unknown): number | undefined {
  if (typeof node !== 'object' || node === null || !('range' in node)) return undefined;
  const range: unknown = node.range;
  return Array.isArray(range) && typeof range[0] === 'number' ? range[0] : undefined;
}

export function toPosition(lineCounter: LineCounter, offset: number): SourcePosition {
  const { line, col } = lineCounter.linePos(offset);
  return { line: Math.max(1, line), column: Math.max(1, col) };
}

/** `['interfaces', 0, 'mode']` → `interfaces[0].mode`; odd keys are quoted: `profiles["a b"]`. */
export function formatPath(path: ConfigPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_][\w-]*$/.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}
