import type { z } from 'zod';
import type { ConfigProblemCode } from './config-problem.js';
import { descriptionAt, knownKeysAt } from './schema-walk.js';
import type { ConfigPath } from './yaml-locate.js';

/** A problem before it is placed in the file: where (as a path) and what. */
export interface PathFinding {
  path: ConfigPath;
  /** Place it at the key itself rather than its value (unknown keys). */
  atKey: boolean;
  code: ConfigProblemCode;
  message: string;
}

type Issue = z.core.$ZodIssue;

/**
 * Turns zod issues into sentences that say the bad value and what was expected:
 * `got "fulll", expected one of full, proxy, off`. `root` is the schema that was run,
 * used to list the keys an object accepts and to find `.describe()` texts.
 */
export function findingsFromIssues(issues: readonly Issue[], root: z.core.$ZodType, prefix: ConfigPath = []): PathFinding[] {
  const out: PathFinding[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    const got = describeValue(issue.input);
    switch (issue.code) {
      case 'invalid_type':
        if (issue.input === undefined) {
          out.push({ path, atKey: false, code: 'CFG_MISSING_KEY', message: `required key is missing, expected ${expectedType(issue.expected)}` });
        } else {
          out.push({ path, atKey: false, code: 'CFG_TYPE', message: `got ${got}, expected ${expectedType(issue.expected)}` });
        }
        break;
      case 'invalid_value':
        out.push({ path, atKey: false, code: 'CFG_VALUE', message: `got ${got}, expected ${oneOf(issue.values.map(String))}` });
        break;
      case 'invalid_format': {
        // Our regexes carry a message like "an IPv4 address like 198.18.0.1"; zod's own start with "Invalid".
        const expected = issue.message.startsWith('Invalid') ? `text matching ${issue.pattern ?? issue.format}` : issue.message;
        out.push({ path, atKey: false, code: 'CFG_VALUE', message: `got ${got}, expected ${expected}` });
        break;
      }
      case 'too_small':
      case 'too_big':
        out.push({ path, atKey: false, code: 'CFG_VALUE', message: `got ${sizeOf(issue.input, issue.origin, got)}, expected ${bound(issue)}` });
        break;
      case 'unrecognized_keys': {
        const known = knownKeysAt(root, issue.path, issue.input);
        for (const key of issue.keys) {
          const near = closest(key, known);
          const hint = near ? ` (did you mean "${near}"?)` : '';
          const expected = known.length ? `, expected one of ${known.join(', ')}` : '';
          out.push({ path: [...path, key], atKey: true, code: 'CFG_UNKNOWN_KEY', message: `unknown key "${key}"${hint}${expected}` });
        }
        break;
      }
      case 'invalid_union':
        out.push(...fromUnion(issue, path, root, got));
        break;
      default:
        out.push({ path, atKey: false, code: 'CFG_VALUE', message: `got ${got}: ${issue.message}` });
    }
  }
  return out;
}

/**
 * A union reports every branch's failure. When exactly one branch got past the type
 * check (a string that is not a valid duration), its complaint is the useful one;
 * otherwise the value had the wrong type for all branches.
 */
function fromUnion(issue: Extract<Issue, { code: 'invalid_union' }>, path: ConfigPath, root: z.core.$ZodType, got: string): PathFinding[] {
  // A discriminated union (profile kinds) whose discriminator matched no option: name the choices.
  const disc = 'discriminator' in issue && typeof issue.discriminator === 'string' ? issue.discriminator : null;
  if (disc !== null && 'options' in issue && Array.isArray(issue.options)) {
    const value = issue.input !== null && typeof issue.input === 'object' ? (issue.input as Record<string, unknown>)[disc] : issue.input;
    const choices = issue.options.filter((o): o is string => typeof o === 'string');
    const absent = issue.options.some((o) => o === undefined || o === null) ? ` (or none, for ${choices[0] ?? 'the first'})` : '';
    return [{ path, atKey: false, code: 'CFG_VALUE', message: `got ${describeValue(value)}, expected one of ${choices.join(', ')}${absent}` }];
  }
  const typedRight = issue.errors.filter((branch) => !branch.every((i) => i.code === 'invalid_type' && i.path.length === 0));
  const only = typedRight.length === 1 ? typedRight[0] : undefined;
  if (only) return findingsFromIssues(only, root, path);
  const described = descriptionAt(root, path);
  const expected =
    described ??
    issue.errors
      .flatMap((branch) => branch.filter((i) => i.code === 'invalid_type').map((i) => expectedType(i.expected)))
      .join(' or ');
  return [{ path, atKey: false, code: issue.input === undefined ? 'CFG_MISSING_KEY' : 'CFG_TYPE', message: `got ${got}, expected ${expected || 'something else'}` }];
}

/** A short, safe rendering of a value from the file. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (typeof value === 'string') {
    if (value === '') return 'an empty string';
    const json = JSON.stringify(value);
    return json.length > 62 ? `${json.slice(0, 60)}…"` : json;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `a list of ${value.length} item${value.length === 1 ? '' : 's'}`;
  if (typeof value === 'object') return 'a mapping';
  return typeof value;
}

function expectedType(expected: string): string {
  switch (expected) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'int':
      return 'a whole number';
    case 'boolean':
      return 'true or false';
    case 'array':
      return 'a list';
    case 'object':
    case 'record':
      return 'a mapping';
    default:
      return expected;
  }
}

function oneOf(values: string[]): string {
  return values.length === 1 ? String(values[0]) : `one of ${values.join(', ')}`;
}

function sizeOf(input: unknown, origin: string, got: string): string {
  if (origin === 'array' && Array.isArray(input)) return `${input.length} item${input.length === 1 ? '' : 's'}`;
  if (origin === 'string' && typeof input === 'string' && input !== '') return `${got} (${input.length} characters)`;
  return got;
}

function bound(issue: Extract<Issue, { code: 'too_small' | 'too_big' }>): string {
  const small = issue.code === 'too_small';
  const limit = Number(small ? issue.minimum : issue.maximum);
  const inclusive = issue.inclusive !== false;
  switch (issue.origin) {
    case 'string':
      if (small && limit === 1) return 'a non-empty string';
      return `${small ? 'at least' : 'at most'} ${limit} characters`;
    case 'array':
      return `${small ? 'at least' : 'at most'} ${limit} item${limit === 1 ? '' : 's'}`;
    default:
      return `a number ${small ? (inclusive ? '>=' : '>') : inclusive ? '<=' : '<'} ${limit}`;
  }
}

/** The known key within edit distance 2 of a typo, if exactly one is that close. */
function closest(key: string, known: readonly string[]): string | undefined {
  const near = known.filter((k) => editDistance(k.toLowerCase(), key.toLowerCase()) <= 2);
  return near.length === 1 ? near[0] : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}
