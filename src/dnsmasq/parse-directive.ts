/**
 * One supported directive's value → a typed directive, with dnsmasq's field rules
 * (dnsmasq(8) OPTIONS; option.c `one_opt`). Includes (conf-file, conf-dir) are handled by
 * load.ts, which needs the file system.
 */
import type {
  DhcpBootDirective, DhcpHostDirective, DhcpRangeDirective, Directive, HwAddrPattern, LeaseTime, PxeServiceDirective,
} from './directive.js';
import { parseOptionSpec } from './parse-option-value.js';
import { BadValue, type SourceRef } from './problems.js';
import { tagRef, type TagRef } from './tags.js';
import {
  hasHidden, ipv4ToNumber, looksIpv6, parseDecimal, parseDuration, parseHex, parseIpv4, parseU16, splitAll, splitAt, unhide,
} from './text.js';

/** State that spans directives while one configuration is read. */
export interface ParseState {
  /** dnsmasq numbers pxe-service boot files from 32768 in the order it reads them. */
  nextPxeServiceType: number;
  /** dhcp-host addresses seen so far: dnsmasq refuses the same address twice. */
  hostAddresses: Set<string>;
}

export function newParseState(): ParseState {
  return { nextPxeServiceType: 32768, hostAddresses: new Set() };
}

/** DHCP_CHADDR_MAX: a hardware address has at most 16 bytes. */
const MAX_HWADDR = 16;

/** dnsmasq's pxe-service CSA names, in the order that gives their numbers (x86-64_EFI is 7, BC_EFI 9). */
export const PXE_CSA_NAMES = [
  'x86PC', 'PC98', 'IA64_EFI', 'Alpha', 'Arc_x86', 'Intel_Lean_Client', 'IA32_EFI', 'x86-64_EFI', 'Xscale_EFI', 'BC_EFI', 'ARM32_EFI', 'ARM64_EFI',
] as const;

/**
 * Parses `arg` for the supported directive `name` (not conf-file/conf-dir).
 * @throws BadValue naming the directive and the value.
 */
export function parseSupportedDirective(name: string, arg: string | null, at: SourceRef, state: ParseState): Directive {
  const need = (): string => {
    if (arg === null) throw new BadValue(`${name} needs a value`, 'DNSMASQ_MISSING_VALUE');
    return arg;
  };
  switch (name) {
    case 'dhcp-range':
      return parseRange(need(), at);
    case 'dhcp-host':
      return parseHost(need(), at, state);
    case 'dhcp-boot':
      return parseBoot(need(), at);
    case 'dhcp-option':
    case 'dhcp-option-force':
      return { kind: 'dhcp-option', at, force: name === 'dhcp-option-force', spec: parseOptionSpec(need(), name === 'dhcp-option-force' ? 'force' : 'option', name) };
    case 'dhcp-match': {
      const spec = parseOptionSpec(need(), 'match', name);
      const tag = spec.tags[0] as TagRef;
      return { kind: 'dhcp-match', at, setTag: (tag.negated ? '!' : '') + tag.name, spec };
    }
    case 'dhcp-vendorclass':
    case 'dhcp-userclass':
      return parseClass(name, need(), at);
    case 'dhcp-mac': {
      const [tag, pattern] = splitAt(need());
      if (pattern === null) throw new BadValue(`dhcp-mac needs set:<tag>,<MAC pattern>, got "${unhide(arg ?? '')}"`);
      return { kind: 'dhcp-mac', at, setTag: setTagName(tag), pattern: hwPattern(pattern, 'dhcp-mac') };
    }
    case 'tag-if':
      return parseTagIf(need(), at);
    case 'dhcp-ignore':
      return { kind: 'dhcp-ignore', at, conditions: splitAll(need()).map((f) => tagRef(unhide(isTagPrefix(f) ? f.slice(4) : f))) };
    case 'pxe-service':
      return parsePxeService(need(), at, state);
    case 'pxe-prompt': {
      const { tags, rest } = leadingTags(need());
      if (rest === null) throw new BadValue(`pxe-prompt needs a prompt text after its tags, got "${unhide(arg ?? '')}"`);
      const [prompt, timeoutText] = splitAt(rest);
      const timeout = timeoutText === null ? null : parseDecimal(timeoutText);
      return { kind: 'pxe-prompt', at, filters: tags, prompt: unhide(prompt), timeout: timeout === null ? 255 : timeout & 0xff };
    }
    case 'dhcp-no-override':
    case 'dhcp-authoritative':
    case 'no-ping':
    case 'tftp-secure':
    case 'tftp-no-blocksize':
    case 'tftp-lowercase':
    case 'log-dhcp':
    case 'bind-interfaces':
      return { kind: name, at };
    case 'interface':
    case 'except-interface':
      return { kind: name, at, names: splitAll(need()).map(unhide) };
    case 'enable-tftp':
      return { kind: 'enable-tftp', at, names: arg === null ? [] : splitAll(arg).map(unhide) };
    case 'listen-address':
      return {
        kind: 'listen-address',
        at,
        addresses: splitAll(need()).map((a) => {
          const ip = parseIpv4(a) ?? (looksIpv6(a) ? unhide(a) : null);
          if (ip === null) throw new BadValue(`listen-address: "${unhide(a)}" is not an IP address`);
          return ip;
        }),
      };
    case 'port': {
      const port = parseU16(need());
      if (port === null) throw new BadValue(`port: "${unhide(arg ?? '')}" is not a port number 0..65535`);
      return { kind: 'port', at, value: port };
    }
    case 'tftp-max': {
      const n = parseDecimal(need());
      if (n === null) throw new BadValue(`tftp-max: "${unhide(arg ?? '')}" is not a number`);
      return { kind: 'tftp-max', at, value: n };
    }
    case 'tftp-root': {
      const [dir, iface] = splitAt(need());
      return { kind: 'tftp-root', at, dir: unhide(dir), iface: iface === null ? null : unhide(iface) };
    }
    case 'tftp-port-range': {
      const [a, b] = splitAt(need());
      const start = parseU16(a);
      const end = b === null ? null : parseU16(b);
      if (start === null || end === null) throw new BadValue(`tftp-port-range needs <start>,<end> ports, got "${unhide(arg ?? '')}"`);
      return { kind: 'tftp-port-range', at, start: Math.min(start, end), end: Math.max(start, end) };
    }
    case 'dhcp-leasefile':
    case 'dhcp-lease':
      return { kind: 'dhcp-leasefile', at, path: arg === null || arg === '' ? null : unhide(arg) };
    default:
      throw new BadValue(`${name} is not handled here`);
  }
}

/** `tag:`/`net:` at the start of a field. */
function isTagPrefix(field: string): boolean {
  return field.startsWith('tag:') || field.startsWith('net:');
}

/** A `set:` tag name (the prefix is optional in dnsmasq). */
function setTagName(field: string): string {
  return unhide(field.startsWith('set:') ? field.slice(4) : field);
}

/** dnsmasq `dhcp_tags`: leading `tag:`/`net:` fields, and what follows them (null if nothing). */
function leadingTags(text: string): { tags: TagRef[]; rest: string | null } {
  const tags: TagRef[] = [];
  let rest: string | null = text;
  while (rest !== null && isTagPrefix(rest)) {
    const [head, tail] = splitAt(rest);
    tags.push(tagRef(unhide(head.slice(4))));
    rest = tail;
  }
  return { tags, rest };
}

function hwPattern(text: string, directive: string): HwAddrPattern {
  const hex = parseHex(text, { maxBytes: MAX_HWADDR, allowType: true });
  if (hex === null || hex.bytes.length === 0) throw new BadValue(`${directive}: "${unhide(text)}" is not a hardware address (hex bytes, * for any)`);
  return { bytes: hex.bytes, wildcard: hex.wildcard, hwType: hex.hwType };
}

function leaseTime(text: string, directive: string): LeaseTime {
  if (unhide(text) === 'infinite') return 'infinite';
  const seconds = parseDuration(text);
  if (seconds === null) throw new BadValue(`${directive}: "${unhide(text)}" is not a lease time (seconds, or with m, h, d, w; or infinite)`);
  // "Leases of a minute or less confuse some clients, notably Apple's" (dnsmasq): at least 120 s.
  return Math.max(seconds, 120);
}

/** `[tag:x,][set:y,]start,end|static|proxy[,netmask[,broadcast]][,lease]` (dnsmasq -F). */
function parseRange(text: string, at: SourceRef): DhcpRangeDirective {
  const filters: TagRef[] = [];
  let setTag: string | null = null;
  let rest: string = text;
  // A leading field that is not address-like (digits, hex letters, '.', ':', space) is a tag.
  for (;;) {
    const addrLike = /^[ .:0-9a-fA-F]*/.exec(rest)?.[0].length ?? 0;
    const [head, tail] = splitAt(rest);
    if (rest[addrLike] !== ',' && tail !== null) {
      if (isTagPrefix(head)) {
        if (head.length > 4) filters.push(tagRef(unhide(head.slice(4))));
      } else {
        if (setTag !== null) throw new BadValue(`dhcp-range: only one set: tag is allowed, got "${unhide(text)}"`);
        setTag = setTagName(head);
      }
      rest = tail;
    } else {
      break;
    }
  }
  const fields = splitAll(rest).slice(0, 8);
  if (fields.length < 2) throw new BadValue(`dhcp-range needs <start>,<end> (or <start>,proxy / static), got "${unhide(text)}"`);
  const a0 = fields[0] as string;
  const start = parseIpv4(a0);
  if (start === null) {
    if (looksIpv6(a0)) throw new BadValue(`dhcp-range: DHCPv6 ranges are out of scope: "${unhide(text)}"`, 'DNSMASQ_IPV6');
    throw new BadValue(`dhcp-range: "${unhide(a0)}" is not an IPv4 address ("${unhide(text)}")`);
  }
  const a1 = fields[1] as string;
  let mode: DhcpRangeDirective['mode'] = 'dynamic';
  let end = start;
  if (a1 === 'static') mode = 'static';
  else if (a1 === 'proxy') mode = 'proxy';
  else {
    const e = parseIpv4(a1);
    if (e === null) throw new BadValue(`dhcp-range: "${unhide(a1)}" is not an end address, static or proxy ("${unhide(text)}")`);
    end = e;
  }
  let [lo, hi] = [start, end];
  if (ipv4ToNumber(lo) > ipv4ToNumber(hi)) [lo, hi] = [hi, lo];
  let netmask: string | null = null;
  let broadcast: string | null = null;
  let leasePos = 2;
  const a2 = fields[2];
  if (a2 !== undefined && a2.includes('.') && parseIpv4(a2) !== null) {
    netmask = parseIpv4(a2);
    leasePos = 3;
    const m = ipv4ToNumber(netmask as string);
    if (((ipv4ToNumber(lo) & m) >>> 0) !== ((ipv4ToNumber(hi) & m) >>> 0)) {
      throw new BadValue(`dhcp-range: ${lo} and ${hi} are not in the same network under netmask ${netmask} ("${unhide(text)}")`);
    }
    const a3 = fields[3];
    if (a3 !== undefined && a3.includes('.') && parseIpv4(a3) !== null) {
      broadcast = parseIpv4(a3);
      leasePos = 4;
    }
  }
  let lease: LeaseTime | null = null;
  if (leasePos < fields.length) {
    if (leasePos !== fields.length - 1) throw new BadValue(`dhcp-range: unexpected field "${unhide(fields[leasePos] as string)}" in "${unhide(text)}"`);
    lease = leaseTime(fields[leasePos] as string, 'dhcp-range');
  }
  return { kind: 'dhcp-range', at, filters, setTag, start: lo, end: hi, mode, netmask, broadcast, leaseTime: lease };
}

/** `[hwaddr…][,id:<client-id>|*][,set:<tag>][,tag:<tag>][,<ipaddr>][,<hostname>][,<lease>][,ignore]` (dnsmasq -G). */
function parseHost(text: string, at: SourceRef, state: ParseState): DhcpHostDirective {
  const host: DhcpHostDirective = {
    kind: 'dhcp-host', at, hwaddrs: [], clientId: null, ignoreClientId: false, setTags: [], filters: [],
    address: null, hostname: null, leaseTime: null, ignore: false,
  };
  for (const field of splitAll(text)) {
    if (field === '') continue;
    if (field.includes(':')) {
      if (/^id:/i.test(field)) {
        const id = field.slice(3);
        if (id === '*') host.ignoreClientId = true;
        else if (id.includes(':')) {
          const hex = parseHex(id);
          if (hex === null) throw new BadValue(`dhcp-host: "${unhide(field)}" is not a client id (hex bytes or text)`);
          host.clientId = hex.bytes;
        } else host.clientId = Buffer.from(unhide(id), 'utf8');
      } else if (field.startsWith('net:') || field.startsWith('set:')) {
        host.setTags.push(unhide(field.slice(4)));
      } else if (field.startsWith('tag:')) {
        host.filters.push(tagRef(unhide(field.slice(4))));
      } else if (field.startsWith('[')) {
        throw new BadValue(`dhcp-host: DHCPv6 addresses are out of scope: "${unhide(field)}" in "${unhide(text)}"`, 'DNSMASQ_IPV6');
      } else {
        host.hwaddrs.push(hwPattern(field, 'dhcp-host'));
      }
    } else if (field.includes('.') && parseIpv4(field) !== null) {
      const ip = parseIpv4(field) as string;
      if (state.hostAddresses.has(ip)) throw new BadValue(`dhcp-host: address ${ip} is already given to another dhcp-host`);
      state.hostAddresses.add(ip);
      host.address = ip;
    } else {
      const u = unhide(field);
      if (/^[0-9 ]*[0-9][0-9 ]*[smhdwSMHDW]?$/.test(u) && !hasHidden(field)) {
        host.leaseTime = leaseTime(u.replace(/ /g, ''), 'dhcp-host');
      } else if (u === 'infinite') host.leaseTime = 'infinite';
      else if (u === 'ignore') host.ignore = true;
      else if (/^[A-Za-z0-9_]([A-Za-z0-9_-]*)(\.[A-Za-z0-9_-]+)*\.?$/.test(u)) host.hostname = u.replace(/\.$/, '');
      else throw new BadValue(`dhcp-host: "${u}" is not a MAC, address, hostname, lease time, ignore, id:, set: or tag: field`);
    }
  }
  return host;
}

/** `[tag:x,]<file>[,<server name>[,<server address>|<tftp server name>]]` (dnsmasq -M). */
function parseBoot(text: string, at: SourceRef): DhcpBootDirective {
  const { tags, rest } = leadingTags(text);
  if (rest === null) throw new BadValue(`dhcp-boot needs a file name after its tags, got "${unhide(text)}"`);
  const [file, more] = splitAt(rest);
  let serverName: string | null = null;
  let serverAddress: string | null = null;
  let tftpServerName: string | null = null;
  if (more !== null) {
    const [sname, addr] = splitAt(more);
    serverName = sname === '' ? null : unhide(sname);
    if (addr !== null) {
      const ip = parseIpv4(addr);
      if (ip !== null) serverAddress = ip;
      else if (addr !== '') tftpServerName = unhide(addr);
    }
  }
  return { kind: 'dhcp-boot', at, filters: tags, file: file === '' ? null : unhide(file), serverName, serverAddress, tftpServerName };
}

function parseClass(name: 'dhcp-vendorclass' | 'dhcp-userclass', text: string, at: SourceRef): Directive {
  const [tag, rest] = splitAt(text);
  if (rest === null) throw new BadValue(`${name} needs set:<tag>,<class>, got "${unhide(text)}"`);
  let enterprise: number | null = null;
  let data = rest;
  const [first, after] = splitAt(rest);
  if (after !== null) {
    if (name !== 'dhcp-vendorclass' || !first.startsWith('enterprise:')) {
      throw new BadValue(`${name}: one class string expected after the tag, got "${unhide(rest)}"`);
    }
    enterprise = parseDecimal(first.slice(11));
    if (enterprise === null) throw new BadValue(`${name}: "${unhide(first)}" needs an enterprise number`);
    data = after;
  }
  return { kind: name, at, setTag: setTagName(tag), data: Buffer.from(unhide(data), 'utf8'), enterprise };
}

function parseTagIf(text: string, at: SourceRef): Directive {
  const set: string[] = [];
  const conditions: TagRef[] = [];
  for (const field of splitAll(text)) {
    if (field.length >= 5 && field.startsWith('set:')) set.push(unhide(field.slice(4)));
    else if (field.length >= 5 && field.startsWith('tag:')) conditions.push(tagRef(unhide(field.slice(4))));
    else throw new BadValue(`tag-if: "${unhide(field)}" is neither set:<tag> nor tag:<tag> ("${unhide(text)}")`);
  }
  if (set.length === 0) throw new BadValue(`tag-if needs at least one set:<tag>, got "${unhide(text)}"`);
  return { kind: 'tag-if', at, set, conditions };
}

/** `[tag:x,]<CSA>,<menu text>[,<basename>|<boot service type>][,<server address>|<server name>]`. */
function parsePxeService(text: string, at: SourceRef, state: ParseState): PxeServiceDirective {
  const { tags, rest } = leadingTags(text);
  const [csaText, afterCsa] = rest === null ? ['', null] : splitAt(rest);
  if (afterCsa === null) throw new BadValue(`pxe-service needs <CSA>,<menu text>[,<basename>][,<server>], got "${unhide(text)}"`);
  const named = PXE_CSA_NAMES.findIndex((n) => n.toLowerCase() === unhide(csaText).toLowerCase());
  const numbered = named >= 0 ? named : parseDecimal(csaText);
  if (numbered === null) throw new BadValue(`pxe-service: "${unhide(csaText)}" is not a client system type (${PXE_CSA_NAMES.join(', ')} or a number)`);
  const [menu, afterMenu] = splitAt(afterCsa);
  const service: PxeServiceDirective = {
    kind: 'pxe-service', at, filters: tags, csa: numbered, csaName: named >= 0 ? (PXE_CSA_NAMES[named] as string) : null,
    menuText: unhide(menu), basename: null, serviceType: 0, serverAddress: null, serverName: null,
  };
  if (afterMenu !== null) {
    const [target, server] = splitAt(afterMenu);
    const type = parseDecimal(target);
    if (type !== null) service.serviceType = type;
    else {
      service.basename = unhide(target);
      service.serviceType = state.nextPxeServiceType++;
    }
    if (server !== null) {
      const ip = parseIpv4(server);
      if (ip !== null) service.serverAddress = ip;
      else service.serverName = unhide(server);
    }
  }
  return service;
}
