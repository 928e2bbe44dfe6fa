/**
 * The value side of `dhcp-option`, `dhcp-option-force` and `dhcp-match`: which option, in
 * which space (plain, `encap:`, `vendor:`, `vi-encap:`), under which tags, and the bytes the
 * value becomes. dnsmasq decides the encoding from the option's known shape and from the
 * characters of the value (dnsmasq(8) -O, option.c `parse_dhcp_opt`); this follows it:
 *
 * - options known to hold addresses take dotted quads (`0.0.0.0` meaning "this server");
 *   known text options take any text;
 * - otherwise: a time suffix for time options; `xx:xx` hex (with `*` wildcards in
 *   dhcp-match); a decimal number, as wide as the option needs or as its value needs (or as
 *   a `b`/`s`/`i` suffix says); dotted quads (with `/bits` for RFC 3442); else text
 *   (options 119 and 120 get RFC 1035 name encoding);
 * - quoted text is always text (`66,"1.2.3.4"`).
 */
import { BadValue } from './problems.js';
import { dnsmasqOptionByCode, dnsmasqOptionByName, type DnsmasqOptionInfo } from './dhcp-option-names.js';
import { hexColons, parseHex, parseIpv4, splitAt, unhide } from './text.js';
import { tagRef, type TagRef } from './tags.js';

/** Where an option goes. */
export type OptionSpace =
  | { kind: 'dhcp' }
  /** Inside option `outer` (e.g. `encap:175` for iPXE's settings). */
  | { kind: 'encap'; outer: number }
  /** Inside option 43, for clients whose vendor class contains `vendorClass` ('' = every client). */
  | { kind: 'vendor'; vendorClass: string }
  /** Inside option 125 (RFC 3925) under IANA enterprise number `enterprise`. */
  | { kind: 'vi-encap'; enterprise: number };

export type ValueForm = 'none' | 'number' | 'addresses' | 'hex' | 'text' | 'time' | 'domain-list' | 'sip-names';

export interface OptionValue {
  /** The bytes as configured. */
  bytes: Buffer;
  form: ValueForm;
  /** Addresses where 0.0.0.0 stands for the server's own address (dnsmasq DHOPT_ADDR). */
  selfAddress: boolean;
  /** Plain text (dnsmasq DHOPT_STRING): NUL-terminated for clients that NUL-terminate, substring match in dhcp-match. */
  isString: boolean;
  /** dhcp-match hex patterns only: per byte, true where the pattern had `*`. */
  wildcard: boolean[] | null;
}

export interface OptionSpec {
  /** `tag:` conditions (and bare or `set:` words, which older configs use as conditions). */
  tags: TagRef[];
  space: OptionSpace;
  /** Null only for `dhcp-match=…,vi-encap:N` without an option number. */
  code: number | null;
  value: OptionValue;
}

export type OptionSpecMode = 'option' | 'force' | 'match';

const EMPTY: OptionValue = { bytes: Buffer.alloc(0), form: 'none', selfAddress: false, isString: false, wildcard: null };

/**
 * Parses the text after `dhcp-option=` (or -force, or dhcp-match). `directive` names the
 * directive in messages. @throws BadValue with a message naming the directive and the value.
 */
export function parseOptionSpec(text: string, mode: OptionSpecMode, directive: string): OptionSpec {
  const tags: TagRef[] = [];
  let space: OptionSpace = { kind: 'dhcp' };
  let code: number | null = null;
  let known: DnsmasqOptionInfo | undefined;
  let valueText: string | null = null;
  let found = false;
  let rest: string | null = text;

  while (rest !== null) {
    const [arg, after] = splitAt(rest);
    if (/^[0-9]*$/.test(arg)) {
      code = Number(arg === '' ? '0' : arg);
      found = true;
      valueText = after;
      break;
    }
    if (arg.startsWith('option:')) {
      const name = unhide(arg.slice(7));
      known = dnsmasqOptionByName(name);
      if (known === undefined) throw new BadValue(`${directive}: unknown option name "${name}" in "${text}" (dnsmasq --help dhcp lists the names)`);
      if (known.internal === true && mode !== 'match') {
        throw new BadValue(`${directive}: option:${name} is set by the DHCP server itself and cannot be configured ("${text}")`);
      }
      code = known.code;
      found = true;
      valueText = after;
      break;
    }
    if (arg.startsWith('option6:')) {
      throw new BadValue(`${directive}: DHCPv6 options (option6:) are out of scope: "${text}"`, 'DNSMASQ_IPV6');
    }
    if (arg.startsWith('vendor:')) {
      space = { kind: 'vendor', vendorClass: unhide(arg.slice(7)) };
    } else if (arg.startsWith('encap:')) {
      space = { kind: 'encap', outer: optionNumber(arg.slice(6), directive, text, 'encap:') };
    } else if (arg.startsWith('vi-encap:')) {
      space = { kind: 'vi-encap', enterprise: enterpriseNumber(arg.slice(9), directive, text) };
      if (mode === 'match') {
        found = true;
        valueText = after;
        break;
      }
    } else {
      // `tag:x`/`net:x` are conditions; so, for backwards compatibility, are `set:x` and a bare word.
      const name = arg.startsWith('tag:') || arg.startsWith('net:') ? arg.slice(4) : arg.startsWith('set:') ? arg.slice(4) : arg;
      tags.push(tagRef(unhide(name)));
    }
    rest = after;
  }

  if (!found) throw new BadValue(`${directive}: no option number or option:<name> in "${text}"`);
  if (code !== null && (code < 1 || code > 254) && !(code === 255 && known?.name === 'server-ip-address')) {
    throw new BadValue(`${directive}: option number ${code} is outside 1..254 in "${text}"`);
  }
  if (known === undefined && space.kind === 'dhcp' && code !== null) known = dnsmasqOptionByCode(code);

  const value = valueText === null ? EMPTY : parseValue(valueText, known, code, space, mode, directive, text);
  const limit = space.kind === 'vi-encap' ? 250 : space.kind === 'dhcp' ? 255 : 253;
  if (value.bytes.length > limit) throw new BadValue(`${directive}: value is ${value.bytes.length} bytes, more than the ${limit} an option can hold: "${text}"`);

  if (mode === 'match') {
    if (space.kind === 'encap' || space.kind === 'vendor') throw new BadValue(`${directive}: encap: and vendor: cannot be matched: "${text}"`);
    if (tags.length !== 1) throw new BadValue(`${directive}: needs exactly one set:<tag> before the option: "${text}"`);
  }
  return { tags, space, code, value };
}

function optionNumber(s: string, directive: string, text: string, what: string): number {
  const u = unhide(s);
  if (!/^[0-9]+$/.test(u) || Number(u) < 1 || Number(u) > 254) throw new BadValue(`${directive}: ${what} needs an option number 1..254, got "${u}" in "${text}"`);
  return Number(u);
}

function enterpriseNumber(s: string, directive: string, text: string): number {
  const u = unhide(s);
  if (!/^[0-9]+$/.test(u) || Number(u) > 0xffffffff) throw new BadValue(`${directive}: vi-encap: needs an IANA enterprise number, got "${u}" in "${text}"`);
  return Number(u);
}

/** C atoi: optional spaces and sign, then leading digits; 0 when none. */
function cAtoi(s: string): number {
  const m = /^\s*([+-]?)(\d+)/.exec(s);
  if (!m) return 0;
  const n = Number(m[2]) | 0;
  return m[1] === '-' ? -n : n;
}

function parseValue(
  raw: string, known: DnsmasqOptionInfo | undefined, code: number | null, space: OptionSpace,
  mode: OptionSpecMode, directive: string, text: string,
): OptionValue {
  let value = raw;
  // Characterise the value the way dnsmasq does, one character at a time.
  let isAddr = true;
  let isHex = true;
  let isDec = true;
  let isString = true;
  let addrs = 1;
  let digs = 1;
  let dots = 0;
  let foundDig = false;
  let lenChar = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as string;
    if (c === ',') {
      addrs++;
      isDec = isHex = false;
    } else if (c === ':') {
      digs++;
      isDec = isAddr = false;
    } else if (c === '/') {
      isDec = isHex = false;
      if (i === 0) isAddr = false; // a leading / is a path name
    } else if (c === '.') {
      isDec = isHex = false;
      dots++;
    } else if (c === '-') {
      isHex = isAddr = false;
    } else if (c === ' ') {
      isDec = isHex = false;
    } else if (c >= '0' && c <= '9') {
      foundDig = true;
    } else {
      isAddr = false;
      if (i === value.length - 1 && isDec && (c === 'b' || c === 's' || c === 'i')) {
        lenChar = c;
        value = value.slice(0, -1);
      } else {
        isDec = false;
      }
      if (!/[0-9a-fA-F]/.test(c) && !(c === '*' && mode === 'match')) isHex = false;
    }
  }
  if (!foundDig) isDec = isAddr = false;

  const inPlainSpace = space.kind === 'dhcp';
  if (known?.addrList === true) {
    isString = isDec = isHex = false;
    if (!isAddr || dots === 0) throw new BadValue(`${directive}: option ${known.name} takes IPv4 addresses, got "${unhide(raw)}" in "${text}"`);
  } else if (known?.text === true || known?.rfc1035 === true) {
    isAddr = isDec = isHex = false;
  }

  if (foundDig && known?.time === true && value.length > 0) {
    const unit = value[value.length - 1] as string;
    const factor: Record<string, number> = { w: 604800, d: 86400, h: 3600, m: 60, s: 1 };
    const f = factor[unit.toLowerCase()];
    const digits = f === undefined ? value : value.slice(0, -1);
    const bytes = Buffer.alloc(4);
    bytes.writeInt32BE((cAtoi(digits) * (f ?? 1)) | 0, 0);
    return { bytes, form: 'time', selfAddress: false, isString: false, wildcard: null };
  }
  if (isHex && digs > 1) {
    const hex = parseHex(value, { maxBytes: digs });
    if (hex === null) throw new BadValue(`${directive}: bad hex value "${unhide(raw)}" in "${text}"`);
    return { bytes: hex.bytes, form: 'hex', selfAddress: false, isString: false, wildcard: mode === 'match' ? hex.wildcard : null };
  }
  if (isDec) {
    const n = cAtoi(value);
    let len: number;
    if (known !== undefined && known.size !== 0) len = known.size;
    else if (known?.internal === true) len = 0x2000; // dnsmasq reads the internal-option flag as a width: always too long
    else if ((n & 0xffff0000) !== 0) len = 4;
    else if ((n & 0xff00) !== 0) len = 2;
    else len = 1;
    if (lenChar === 'b') len = 1;
    else if (lenChar === 's') len = 2;
    else if (lenChar === 'i') len = 4;
    if (len > 4) throw new BadValue(`${directive}: option ${known?.name ?? code} does not take a number ("${unhide(raw)}" in "${text}")`);
    const bytes = Buffer.alloc(len);
    for (let i = 0; i < len; i++) bytes[i] = (n >> ((len - i - 1) * 8)) & 0xff;
    return { bytes, form: 'number', selfAddress: false, isString: false, wildcard: null };
  }
  if (isAddr) {
    const parts: number[] = [];
    let selfAddress = true;
    const sip = inPlainSpace && code === 120;
    if (sip) {
      parts.push(1); // RFC 3361 encoding byte: addresses follow
      selfAddress = false;
    }
    let rest: string | null = value;
    while (rest !== null) {
      const [item, after] = splitAt(rest);
      const [addrText, bits] = splitAt(item, '/');
      const ip = parseIpv4(addrText);
      if (ip === null) throw new BadValue(`${directive}: "${unhide(addrText)}" is not an IPv4 address ("${text}")`);
      const octets = ip.split('.').map(Number);
      if (bits === null) {
        parts.push(...octets);
      } else {
        // RFC 3442 descriptor: width, then only the significant octets.
        const width = cAtoi(bits);
        parts.push(width & 0xff);
        for (let k = 0; k < 4; k++) if (width > 8 * k) parts.push(octets[k] as number);
        selfAddress = false;
      }
      rest = after;
    }
    return { bytes: Buffer.from(parts), form: 'addresses', selfAddress, isString: false, wildcard: null };
  }
  if (!isString) throw new BadValue(`${directive}: cannot read "${unhide(raw)}" in "${text}"`);
  if (inPlainSpace && (code === 119 || code === 120)) {
    return { bytes: encodeNames(value, code === 120, directive, text), form: code === 119 ? 'domain-list' : 'sip-names', selfAddress: false, isString: false, wildcard: null };
  }
  return { bytes: Buffer.from(unhide(value), 'utf8'), form: 'text', selfAddress: false, isString: true, wildcard: null };
}

/**
 * RFC 1035 names for option 119 (RFC 3397) or 120 (RFC 3361, with a leading 0), each later
 * name compressed against the earlier ones as dnsmasq does it: a name's suffix that equals,
 * byte for byte, text starting at an earlier label becomes a pointer.
 */
function encodeNames(value: string, sip: boolean, directive: string, text: string): Buffer {
  const header = sip ? 1 : 0;
  let data = Buffer.alloc(0);
  let rest: string | null = value;
  while (rest !== null) {
    const [item, after] = splitAt(rest);
    rest = after;
    if (item === '') break;
    const name = unhide(item).replace(/\.$/, '');
    if (item !== '.' && !/^[A-Za-z0-9_*-]+(\.[A-Za-z0-9_*-]+)*$/.test(name)) {
      throw new BadValue(`${directive}: "${unhide(item)}" is not a domain name ("${text}")`);
    }
    const labels = item === '.' ? [] : name.split('.');
    const encoded = Buffer.concat([...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'ascii')])), Buffer.from([0])]);
    const len = data.length;
    let combined = Buffer.concat([data, encoded]);
    let newLen = combined.length;
    outer: for (let tail = len; tail < combined.length && combined[tail] !== 0; tail += (combined[tail] as number) + 1) {
      for (let r = 0; r < len; r += (combined[r] as number) + 1) {
        if (cString(combined, r).equals(cString(combined, tail))) {
          combined = Buffer.concat([combined.subarray(0, tail), Buffer.from([0xc0 | (r >> 8), r & 0xff])]);
          newLen = tail + 2;
          break outer;
        }
      }
    }
    data = combined.subarray(0, newLen);
  }
  return header ? Buffer.concat([Buffer.from([0]), data]) : data;
}

function cString(b: Buffer, at: number): Buffer {
  const end = b.indexOf(0, at);
  return b.subarray(at, end < 0 ? b.length : end);
}

/** The value as dnsmasq would print it back in a config line. */
export function formatOptionValue(v: OptionValue): string {
  switch (v.form) {
    case 'none':
      return '';
    case 'text':
      return JSON.stringify(v.bytes.toString('utf8'));
    case 'addresses':
      return Array.from({ length: v.bytes.length / 4 }, (_, i) => Array.from(v.bytes.subarray(4 * i, 4 * i + 4)).join('.')).join(',');
    case 'number':
    case 'time':
      return String(v.bytes.reduce((acc, b) => acc * 256 + b, 0));
    default:
      return hexColons(v.bytes);
  }
}
