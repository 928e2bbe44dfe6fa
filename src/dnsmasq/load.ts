/**
 * Reads a dnsmasq configuration — a dnsmasq.conf, or dnsmasq's command line — into typed
 * directives in the order dnsmasq reads them, following `conf-file` and `conf-dir` includes
 * at the point where they appear. Every line is accounted for: a typed directive, an
 * ignored one (DNS, or how the process runs) kept for reporting, or a problem naming file,
 * line and directive.
 *
 * The file system is passed in (ConfFs), so the parser itself stays pure and testable.
 */
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { argvEntries } from './argv.js';
import { readConfText, type RawEntry } from './conf-text.js';
import type { Directive, IncludeDirective } from './directive.js';
import { CATALOGUE, PROCESS_NOTES } from './option-catalogue.js';
import { newParseState, parseSupportedDirective, type ParseState } from './parse-directive.js';
import { BadValue, type DnsmasqProblem, type SourceRef } from './problems.js';
import { splitAll, unhide } from './text.js';

/** What the loader needs from a file system. */
export interface ConfFs {
  /** The file's text; throws (with a `code` like ENOENT) when it cannot be read. */
  readText(file: string): string;
  /** Entry names in a directory; throws when it cannot be read. */
  listDir(dir: string): string[];
  isFile(file: string): boolean;
  /** A stable identity (dnsmasq uses device and inode) so a file included twice is read once. */
  identity(file: string): string;
}

/** The real file system. */
export const nodeConfFs: ConfFs = {
  readText: (file) => readFileSync(file, 'utf8'),
  listDir: (dir) => readdirSync(dir),
  isFile: (file) => statSync(file).isFile(),
  identity: (file) => {
    try {
      return realpathSync(file);
    } catch {
      return path.resolve(file);
    }
  },
};

export interface LoadOptions {
  /** Report unknown and unsupported directives as skipped instead of failing. Default false. */
  skipUnknown?: boolean;
  fs?: ConfFs;
}

/** A configuration as read: directives in dnsmasq's reading order, and every problem found. */
export interface DnsmasqConf {
  directives: Directive[];
  problems: DnsmasqProblem[];
}

interface Reader {
  opts: Required<LoadOptions>;
  state: ParseState;
  seen: Set<string>;
  out: DnsmasqConf;
}

function reader(opts: LoadOptions): Reader {
  return {
    opts: { skipUnknown: opts.skipUnknown ?? false, fs: opts.fs ?? nodeConfFs },
    state: newParseState(),
    seen: new Set(),
    out: { directives: [], problems: [] },
  };
}

/** Reads a dnsmasq.conf (and what it includes). */
export function loadDnsmasqConfFile(file: string, opts: LoadOptions = {}): DnsmasqConf {
  const r = reader(opts);
  readFile(r, file, null);
  return r.out;
}

/** Reads config text as if it were the file `file` (includes are read through `opts.fs`). */
export function parseDnsmasqConfText(text: string, file: string, opts: LoadOptions = {}): DnsmasqConf {
  const r = reader(opts);
  readText(r, text, file);
  return r.out;
}

/**
 * Reads dnsmasq's command line (without the program name), as dnsmasq does: the options in
 * order, except that the first `--conf-file` is read after all of them; without any
 * `--conf-file`, `defaultConfFile` (dnsmasq: /etc/dnsmasq.conf) is read if it exists.
 */
export function loadDnsmasqArgs(argv: readonly string[], opts: LoadOptions & { defaultConfFile?: string | null } = {}): DnsmasqConf {
  const r = reader(opts);
  const { entries, problems } = argvEntries(argv);
  r.out.problems.push(...problems);
  let deferred: RawEntry | null = null;
  for (const e of entries) {
    if (e.name === 'conf-file' && deferred === null) {
      deferred = e;
      continue;
    }
    handle(r, e);
  }
  if (deferred !== null) handle(r, deferred);
  else {
    const fallback = opts.defaultConfFile === undefined ? '/etc/dnsmasq.conf' : opts.defaultConfFile;
    if (fallback !== null && exists(r.opts.fs, fallback)) readFile(r, fallback, null);
  }
  return r.out;
}

function exists(fs: ConfFs, file: string): boolean {
  try {
    return fs.isFile(file);
  } catch {
    return false;
  }
}

function readFile(r: Reader, file: string, from: { at: SourceRef; directive: string } | null): string[] {
  let id: string;
  try {
    id = r.opts.fs.identity(file);
  } catch {
    id = file;
  }
  // dnsmasq reads a file only once, however often it is included.
  if (r.seen.has(id)) return [];
  r.seen.add(id);
  let text: string;
  try {
    text = r.opts.fs.readText(file);
  } catch (e) {
    const reason = e instanceof Error && 'code' in e ? String(e.code) : String(e);
    r.out.problems.push({
      at: from?.at ?? { file, line: 0 },
      directive: from?.directive ?? '',
      code: 'DNSMASQ_INCLUDE',
      message: `cannot read ${file} (${reason})`,
    });
    return [];
  }
  readText(r, text, file);
  return [file];
}

function readText(r: Reader, text: string, file: string): void {
  const { entries, problems } = readConfText(text, file);
  r.out.problems.push(...problems);
  for (const e of entries) handle(r, e);
}

function handle(r: Reader, e: RawEntry): void {
  const before = r.out.directives.length;
  handleEntry(r, e);
  const text = e.arg === null ? e.name : `${e.name}=${unhide(e.arg)}`;
  // Directives added for this entry (an include adds its own and then its files' ones).
  const own = r.out.directives[before];
  if (own !== undefined && own.at === e.at) own.text = text;
}

function handleEntry(r: Reader, e: RawEntry): void {
  const { name, arg, at } = e;
  const entry = CATALOGUE.get(name);
  const problem = (code: DnsmasqProblem['code'], message: string): void => {
    r.out.problems.push({ at, directive: name, code, message });
  };
  if (entry === undefined) {
    if (r.opts.skipUnknown) r.out.directives.push({ kind: 'ignored', at, name, arg, why: 'skipped', note: 'not a dnsmasq directive' });
    else problem('DNSMASQ_UNKNOWN_DIRECTIVE', `"${name}" is not a dnsmasq directive`);
    return;
  }
  if (entry.arg === 0 && arg !== null) return problem('DNSMASQ_UNEXPECTED_VALUE', `${name} takes no value, got "${unhide(arg)}"`);
  if (entry.arg === 1 && arg === null) return problem('DNSMASQ_MISSING_VALUE', `${name} needs a value`);
  switch (entry.category) {
    case 'dns':
      r.out.directives.push({ kind: 'ignored', at, name, arg: arg === null ? null : unhide(arg), why: 'dns', note: 'DNS is out of scope' });
      return;
    case 'process':
      r.out.directives.push({ kind: 'ignored', at, name, arg: arg === null ? null : unhide(arg), why: 'process', note: PROCESS_NOTES[name] ?? 'no effect under bootfleet' });
      return;
    case 'unsupported':
      if (r.opts.skipUnknown) {
        r.out.directives.push({ kind: 'ignored', at, name, arg: arg === null ? null : unhide(arg), why: 'skipped', note: 'not supported by bootfleet yet' });
      } else {
        problem('DNSMASQ_UNSUPPORTED_DIRECTIVE', `${name} is a dnsmasq directive bootfleet does not support yet`);
      }
      return;
    case 'supported':
      break;
  }
  if (name === 'conf-file') {
    if (arg === null || arg === '') return;
    const file = unhide(arg);
    if (file === '-') return problem('DNSMASQ_INCLUDE', 'reading configuration from standard input is not supported');
    const include: IncludeDirective = { kind: 'conf-file', at, path: file, skipSuffixes: [], onlySuffixes: [], files: [] };
    r.out.directives.push(include);
    include.files = readFile(r, file, { at, directive: name });
    return;
  }
  if (name === 'conf-dir') return confDir(r, arg ?? '', at);
  try {
    r.out.directives.push(parseSupportedDirective(name, arg, at, r.state));
  } catch (err) {
    if (!(err instanceof BadValue)) throw err;
    problem(err.code, err.message);
  }
}

/**
 * `conf-dir=<dir>[,<ext>…]`: every regular file in the directory in alphabetical order,
 * except names ending in `~`, starting with `.`, or starting and ending with `#`; an `<ext>`
 * skips files ending in it, a `*<ext>` reads only files ending in it (dnsmasq(8) -7).
 */
function confDir(r: Reader, arg: string, at: SourceRef): void {
  const [dirField, ...exts] = splitAll(arg);
  const dir = unhide(dirField ?? '');
  if (dir === '') return;
  const skip: string[] = [];
  const only: string[] = [];
  for (const ext of exts.map(unhide)) {
    if (ext === '' || ext === '*') continue;
    if (ext.startsWith('*')) only.push(ext.slice(1));
    else skip.push(ext);
  }
  const include: IncludeDirective = { kind: 'conf-dir', at, path: dir, skipSuffixes: skip, onlySuffixes: only, files: [] };
  r.out.directives.push(include);
  let names: string[];
  try {
    names = r.opts.fs.listDir(dir);
  } catch (e) {
    const reason = e instanceof Error && 'code' in e ? String(e.code) : String(e);
    r.out.problems.push({ at, directive: 'conf-dir', code: 'DNSMASQ_INCLUDE', message: `cannot read directory ${dir} (${reason})` });
    return;
  }
  const endsWith = (n: string, suffix: string): boolean => n.length > suffix.length && n.endsWith(suffix);
  const files = names
    .filter((n) => n !== '' && !n.endsWith('~') && !n.startsWith('.') && !(n.startsWith('#') && n.endsWith('#')))
    .filter((n) => only.length === 0 || only.some((s) => endsWith(n, s)))
    .filter((n) => !skip.some((s) => endsWith(n, s)))
    .map((n) => `${dir}/${n}`)
    .filter((p) => exists(r.opts.fs, p))
    // dnsmasq sorts with strcmp: byte order, not locale order.
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const file of files) include.files.push(...readFile(r, file, { at, directive: 'conf-dir' }));
}
