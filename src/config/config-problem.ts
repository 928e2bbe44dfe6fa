/**
 * One thing wrong with a config file, placed at the line of the offending YAML node
 * (or of its nearest existing parent, e.g. for a missing key).
 */
export interface ConfigProblem {
  /** The file name as given to the loader. */
  file: string;
  /** 1-based; 0 only when the file itself could not be read. */
  line: number;
  /** 1-based; 0 only when the file itself could not be read. */
  column: number;
  /** Dotted path like `interfaces[0].mode`; empty for YAML syntax errors and unreadable files. */
  key: string;
  /** Says the bad value and what was expected. */
  message: string;
  /** Stable code from the catalogue in src/config/README.md. */
  code: ConfigProblemCode;
}

/**
 * Stable names for config problems: scripts and docs may depend on them, so codes are
 * added, never renamed. Each is documented in src/config/README.md (a test checks).
 */
export const configProblemCodes = [
  'CFG_READ',
  'CFG_YAML',
  'CFG_TYPE',
  'CFG_VALUE',
  'CFG_MISSING_KEY',
  'CFG_UNKNOWN_KEY',
  'CFG_SUBNET_OVERLAP',
  'CFG_POOL_RANGE',
  'CFG_POOL_OUTSIDE_SUBNET',
  'CFG_POOL_OVERLAP',
  'CFG_ROUTER_OUTSIDE_SUBNET',
  'CFG_RESERVATION_OUTSIDE_SUBNET',
  'CFG_DUPLICATE_INTERFACE',
  'CFG_DUPLICATE_MAC',
  'CFG_DUPLICATE_ADDRESS',
  'CFG_UNKNOWN_PROFILE',
  'CFG_DUPLICATE_NAME',
] as const;

export type ConfigProblemCode = (typeof configProblemCodes)[number];

/**
 * One line per problem, compiler style, so editors can jump to it:
 * `bootfleet.yaml:12:9: interfaces[0].mode: got "fulll", expected one of full, proxy, off`.
 */
export function formatProblem(p: Pick<ConfigProblem, 'file' | 'line' | 'column' | 'key' | 'message'>): string {
  const where = p.line > 0 ? `${p.file}:${p.line}:${p.column}` : p.file;
  return p.key ? `${where}: ${p.key}: ${p.message}` : `${where}: ${p.message}`;
}

/** All problems, one a line, in the order given (the loader sorts them by position). */
export function formatProblems(problems: readonly ConfigProblem[]): string {
  return problems.map(formatProblem).join('\n');
}
