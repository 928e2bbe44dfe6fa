/**
 * Where a directive came from, and what can be wrong with one. Every problem names the file,
 * the line and the directive, so a person can go straight to it.
 */

/** A line of a config file, or the command line (`file: '<command line>'`, `line`: argument index). */
export interface SourceRef {
  file: string;
  line: number;
}

/** Stable codes (documented in src/dnsmasq/README.md; a test keeps the two in step). */
export const DNSMASQ_PROBLEM_CODES = [
  'DNSMASQ_UNKNOWN_DIRECTIVE',
  'DNSMASQ_UNSUPPORTED_DIRECTIVE',
  'DNSMASQ_MISSING_VALUE',
  'DNSMASQ_UNEXPECTED_VALUE',
  'DNSMASQ_BAD_VALUE',
  'DNSMASQ_UNCLOSED_QUOTE',
  'DNSMASQ_IPV6',
  'DNSMASQ_INCLUDE',
  'DNSMASQ_COMMAND_LINE',
  'DNSMASQ_CANNOT_RUN',
] as const;

export type DnsmasqProblemCode = (typeof DNSMASQ_PROBLEM_CODES)[number];

export interface DnsmasqProblem {
  at: SourceRef;
  /** The directive's name as written (`dhcp-range`), '' when the line has none. */
  directive: string;
  code: DnsmasqProblemCode;
  message: string;
}

/** `file:line: directive: message` — the one way problems are printed. */
export function formatDnsmasqProblem(p: DnsmasqProblem): string {
  const where = p.at.file === COMMAND_LINE ? `command line argument ${p.at.line}` : `${p.at.file}:${p.at.line}`;
  return `${where}: ${p.directive === '' ? '' : `${p.directive}: `}${p.message} [${p.code}]`;
}

/** The `file` of a SourceRef for arguments given on the command line. */
export const COMMAND_LINE = '<command line>';

/** A value that failed to parse: the message names the directive and the value. */
export class BadValue extends Error {
  constructor(
    message: string,
    readonly code: DnsmasqProblemCode = 'DNSMASQ_BAD_VALUE',
  ) {
    super(message);
    this.name = 'BadValue';
  }
}
