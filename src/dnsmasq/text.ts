/**
 * The small text rules every dnsmasq directive shares, with dnsmasq's exact behaviour:
 * quoted characters, comma splitting, decimal and hex constants, IPv4 literals.
 *
 * Quoting (dnsmasq(8) "CONFIG FILE"): between double quotes the special meanings of `,` `:`
 * `.` and `#` are removed. dnsmasq does this by *hiding* a fixed set of characters (digits,
 * hex letters, space, a few control characters and `:,.`) while it reads the line, so that
 * later checks ("is this all digits?", "does it contain a dot?") do not see them, and it
 * unhides them when it stores a value. We hide the same set, into the Unicode private use
 * area, so every later decision matches dnsmasq's.
 */

/** The characters dnsmasq hides inside quotes (its `meta` table, in any order). */
const HIDDEN = new Set('0123456789abcdefABCDEF \b\t\n\r\x1b:,.');
const HIDE_BASE = 0xe000;

/** A quoted character as the rest of the parser sees it. */
export function hideChar(c: string): string {
  return HIDDEN.has(c) ? String.fromCharCode(HIDE_BASE + c.charCodeAt(0)) : c;
}

/** Restores hidden characters: the stored value of a (partly) quoted argument. */
export function unhide(s: string): string {
  let out = '';
  for (const ch of s) {
    const code = ch.charCodeAt(0);
    out += code >= HIDE_BASE && code < HIDE_BASE + 0x80 ? String.fromCharCode(code - HIDE_BASE) : ch;
  }
  return out;
}

/** True when `s` holds a character that came from inside quotes. */
export function hasHidden(s: string): boolean {
  return /[\ue000-\ue07f]/.test(s);
}

/**
 * dnsmasq's `split()`: the text before the first `ch` (trailing spaces removed) and the text
 * after it (leading spaces removed), or the whole string and null when there is no `ch`.
 */
export function splitAt(s: string, ch = ','): [string, string | null] {
  const at = s.indexOf(ch);
  if (at < 0) return [s, null];
  return [s.slice(0, at).replace(/ +$/, ''), s.slice(at + 1).replace(/^ +/, '')];
}

/** Every comma-separated field, each trimmed as `splitAt` trims. */
export function splitAll(s: string, ch = ','): string[] {
  const out: string[] = [];
  let rest: string | null = s;
  while (rest !== null) {
    const [head, tail] = splitAt(rest, ch);
    out.push(head);
    rest = tail;
  }
  return out;
}

/** dnsmasq's `atoi_check`: only ASCII digits (none at all counts, as 0), else null. */
export function parseDecimal(s: string): number | null {
  const u = unhide(s);
  if (!/^[0-9]*$/.test(u)) return null;
  return u === '' ? 0 : Number(u);
}

/** A decimal 0..65535, as dnsmasq's `atoi_check16`. */
export function parseU16(s: string): number | null {
  const n = parseDecimal(s);
  return n !== null && n <= 0xffff ? n : null;
}

/** A dotted-quad IPv4 address (inet_pton rules: four decimal parts 0..255), normalised, or null. */
export function parseIpv4(s: string): string | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(unhide(s));
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return null;
  // inet_pton refuses leading zeros ("01.2.3.4"): they would read as octal elsewhere.
  if (m.slice(1).some((p) => p.length > 1 && p.startsWith('0'))) return null;
  return parts.join('.');
}

/** An IPv4 address as a 32-bit unsigned number. */
export function ipv4ToNumber(ip: string): number {
  return ip.split('.').reduce((acc, p) => acc * 256 + Number(p), 0);
}

/** A 32-bit unsigned number as a dotted quad. */
export function numberToIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff].join('.');
}

/** True when `s` looks like an IPv6 literal (dnsmasq tries inet_pton AF_INET6). */
export function looksIpv6(s: string): boolean {
  const u = unhide(s).replace(/^\[|\]$/g, '');
  return u.includes(':') && /^[0-9a-fA-F:.]+(\/\d+)?$/.test(u);
}

/** Hex bytes with `*` wildcards, as dnsmasq's `parse_hex`. */
export interface HexBytes {
  bytes: Buffer;
  /** One entry per byte: true where the pattern had `*` (matches any byte). */
  wildcard: boolean[];
  /** ARP hardware type from a `06-` prefix (hwaddr patterns only), else 0 ("any"). */
  hwType: number;
}

/**
 * dnsmasq's `parse_hex`: groups of hex digits separated by `:`, `-` or space; a group of
 * more than two digits is several bytes ("0102" is 01 02, "abc" is ab 0c); `*` is a wildcard
 * byte; with `allowType`, a first group followed by `-` is the ARP type ("06-00:20:…").
 * Null on any other character. `maxBytes` caps the result as dnsmasq does (extra groups ignored).
 */
export function parseHex(input: string, opts: { maxBytes?: number; allowType?: boolean } = {}): HexBytes | null {
  const s = unhide(input);
  const bytes: number[] = [];
  const wildcard: boolean[] = [];
  let hwType = 0;
  let typeAllowed = opts.allowType === true;
  const max = opts.maxBytes ?? Infinity;
  let i = 0;
  while (i <= s.length && bytes.length < max) {
    let r = i;
    while (r < s.length && s[r] !== ':' && s[r] !== '-' && s[r] !== ' ') {
      if (s[r] !== '*' && !/[0-9a-fA-F]/.test(s[r] as string)) return null;
      r++;
    }
    const group = s.slice(i, r);
    if (group.length > 0) {
      if (s[r] === '-' && bytes.length === 0 && typeAllowed) {
        hwType = parseInt(group, 16);
        typeAllowed = false;
      } else if (group === '*') {
        bytes.push(0);
        wildcard.push(true);
      } else {
        if (group.includes('*')) return null;
        for (let j = 0; j < group.length && bytes.length < max; j += 2) {
          bytes.push(parseInt(group.slice(j, j + 2), 16));
          wildcard.push(false);
        }
      }
    }
    if (r >= s.length) break;
    i = r + 1;
  }
  return { bytes: Buffer.from(bytes), wildcard, hwType };
}

/** Formats bytes as dnsmasq prints them: lower-case hex pairs joined by `:`. */
export function hexColons(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':');
}

/**
 * A time with dnsmasq's suffixes (`s`, `m`, `h`, `d`, `w`, either case) in seconds, or null
 * when the rest is not all digits.
 */
export function parseDuration(s: string): number | null {
  const u = unhide(s);
  const m = /^([0-9]+)([smhdwSMHDW]?)$/.exec(u);
  if (!m) return null;
  const unit = (m[2] ?? '').toLowerCase();
  const factor = unit === 'w' ? 604800 : unit === 'd' ? 86400 : unit === 'h' ? 3600 : unit === 'm' ? 60 : 1;
  return Number(m[1]) * factor;
}
