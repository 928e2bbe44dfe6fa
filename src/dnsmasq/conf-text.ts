/**
 * One dnsmasq configuration file's text → its lines as `name[=value]` entries, with dnsmasq's
 * reading rules (dnsmasq(8) "CONFIG FILE"):
 *
 * - `#` starts a comment only at the start of a word (after whitespace or at the line start),
 *   so `tag:!x` and `net:#x` survive;
 * - between double quotes, `\\ \" \t \n \e \b \r` are escapes and `, : . #` lose their
 *   meaning (see text.ts on hidden characters); a quote left open is an error;
 * - any whitespace counts as a space; spaces around `=` and at both ends are dropped.
 */
import { hideChar } from './text.js';
import type { DnsmasqProblem, SourceRef } from './problems.js';

/** One directive as written: its name, its value (null for a bare flag), and where. */
export interface RawEntry {
  name: string;
  arg: string | null;
  at: SourceRef;
}

const ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', t: '\t', n: '\n', e: '\x1b', b: '\b', r: '\r' };

/** Splits `text` (the contents of `file`) into entries; problems for lines that cannot be read. */
export function readConfText(text: string, file: string): { entries: RawEntry[]; problems: DnsmasqProblem[] } {
  const entries: RawEntry[] = [];
  const problems: DnsmasqProblem[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const at = { file, line: i + 1 };
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const cooked = cookLine(line);
    if (cooked === null) {
      problems.push({ at, directive: firstWord(line), code: 'DNSMASQ_UNCLOSED_QUOTE', message: 'a quote (") is not closed on this line' });
      return;
    }
    const body = cooked.replace(/^ +| +$/g, '');
    if (body === '') return;
    const eq = body.indexOf('=');
    if (eq < 0) {
      entries.push({ name: body, arg: null, at });
    } else {
      entries.push({ name: body.slice(0, eq).replace(/[ =]+$/, ''), arg: body.slice(eq + 1).replace(/^ +/, ''), at });
    }
  });
  return { entries, problems };
}

/** Quotes resolved, whitespace normalised, comment removed; null when a quote is left open. */
function cookLine(line: string): string | null {
  let out = '';
  let white = true;
  let i = 0;
  while (i < line.length) {
    let c = line[i] as string;
    if (c === '"') {
      i++;
      for (;;) {
        if (i >= line.length) return null;
        let q = line[i] as string;
        if (q === '"') break;
        if (q === '\\' && i + 1 < line.length && (line[i + 1] as string) in ESCAPES) {
          q = ESCAPES[line[i + 1] as string] as string;
          i++;
        }
        out += hideChar(q);
        i++;
      }
      i++;
      // dnsmasq handles the character after the closing quote in the same step, as a plain
      // character: even a `"` there is literal (and `"a""b"` ends up with an open quote).
      if (i >= line.length) break;
      c = line[i] as string;
    }
    if (/\s/.test(c)) {
      out += ' ';
      white = true;
    } else {
      if (white && c === '#') break;
      white = false;
      out += c;
    }
    i++;
  }
  return out;
}

function firstWord(line: string): string {
  const m = /^\s*([^=\s]+)/.exec(line);
  return m?.[1] ?? '';
}
