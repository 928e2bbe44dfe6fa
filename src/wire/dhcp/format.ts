/**
 * A stable, readable text dump of a DhcpPacket: one header field or option per line
 * (sub-options indented beneath their option), names from the option registry, typed values
 * where the shape is known and lower-case hex otherwise. Used for golden files and
 * `bootfleet explain --packet`; change it only together with the goldens.
 */
import { BootOp, FLAG_BROADCAST, MessageType, type DhcpPacket } from './packet.js';
import { formatIpv4 } from './ipv4.js';
import { decodeText } from './text.js';
import { clientArchName, DHCP_OPTIONS, subOptionTable, type OptionInfo, type OptionValueType } from './option-registry.js';
import { decodeSubOptions, macOf } from './options.js';
import { parsePxeBootItem, parsePxeBootMenu, parsePxeBootServers, parsePxeMenuPrompt } from './pxe-options.js';

function hex(v: Uint8Array): string {
  return v.length === 0 ? '(empty)' : Buffer.from(v.buffer, v.byteOffset, v.length).toString('hex');
}

function text(v: Buffer): string {
  return JSON.stringify(decodeText(v, 0, v.length));
}

function ipList(v: Buffer, minCount: number, multiple: number): string[] | null {
  if (v.length < 4 * minCount || v.length % (4 * multiple) !== 0) return null;
  const out: string[] = [];
  for (let i = 0; i < v.length; i += 4) out.push(formatIpv4(v, i));
  return out;
}

/** RFC 1035 §4.1.4 names with compression pointers relative to the option value (RFC 3397 §2). */
function domainList(v: Buffer): string[] | null {
  const names: string[] = [];
  let i = 0;
  while (i < v.length) {
    const labels: string[] = [];
    let at = i;
    let jumps = 0;
    let next = -1;
    for (;;) {
      if (at >= v.length) return null;
      const len = v[at] as number;
      if (len === 0) { if (next < 0) next = at + 1; break; }
      if ((len & 0xc0) === 0xc0) {
        if (at + 1 >= v.length || ++jumps > 64) return null;
        if (next < 0) next = at + 2;
        at = ((len & 0x3f) << 8) | (v[at + 1] as number);
        continue;
      }
      if (len > 63 || at + 1 + len > v.length) return null;
      labels.push(decodeText(v, at + 1, at + 1 + len));
      at += 1 + len;
    }
    names.push(labels.join('.') + '.');
    i = next;
  }
  return names;
}

/** RFC 3442 §3: width, significant destination octets, router. */
function classlessRoutes(v: Buffer): string[] | null {
  const out: string[] = [];
  let i = 0;
  while (i < v.length) {
    const width = v[i] as number;
    if (width > 32) return null;
    const octets = Math.ceil(width / 8);
    if (i + 1 + octets + 4 > v.length) return null;
    const dest = [0, 0, 0, 0];
    for (let k = 0; k < octets; k++) dest[k] = v[i + 1 + k] as number;
    out.push(`${dest.join('.')}/${width} via ${formatIpv4(v, i + 1 + octets)}`);
    i += 1 + octets + 4;
  }
  return out;
}

/** Render a value of a known shape, or null when the bytes do not have that shape. */
function typedValue(type: OptionValueType, v: Buffer): string | null {
  switch (type) {
    case 'ip': return v.length === 4 ? formatIpv4(v, 0) : null;
    case 'ips': return ipList(v, 1, 1)?.join(', ') ?? null;
    case 'ip-pairs': {
      const ips = ipList(v, 2, 2);
      if (ips === null) return null;
      const pairs: string[] = [];
      for (let k = 0; k < ips.length; k += 2) pairs.push(`${ips[k]} ${ips[k + 1]}`);
      return pairs.join(', ');
    }
    case 'u8': return v.length === 1 ? String(v[0]) : null;
    case 'i8': return v.length === 1 ? String(v.readInt8(0)) : null;
    case 'flag': return v.length === 1 && (v[0] as number) <= 1 ? String(v[0] === 1) : null;
    case 'u16': return v.length === 2 ? String(v.readUInt16BE(0)) : null;
    case 'u32': return v.length === 4 ? String(v.readUInt32BE(0)) : null;
    case 'i32': return v.length === 4 ? String(v.readInt32BE(0)) : null;
    case 'u16s': {
      if (v.length === 0 || v.length % 2 !== 0) return null;
      const out: number[] = [];
      for (let k = 0; k < v.length; k += 2) out.push(v.readUInt16BE(k));
      return out.join(', ');
    }
    case 'string': return text(v);
    case 'bytes': return hex(v);
    case 'version': return v.length === 0 ? null : Array.from(v).join('.');
    case 'message-type': {
      const t = v.length === 1 ? (v[0] as number) : -1;
      return t < 0 ? null : `${MessageType[t] ?? 'unknown'} (${t})`;
    }
    case 'code-list':
      return Array.from(v, (c) => `${c} ${DHCP_OPTIONS.get(c)?.name ?? 'unknown'}`).join(', ') || '(empty)';
    case 'overload': return v.length === 1 ? String(v[0]) : null;
    case 'client-arch': {
      if (v.length === 0 || v.length % 2 !== 0) return null;
      const out: string[] = [];
      for (let k = 0; k < v.length; k += 2) out.push(`${v.readUInt16BE(k)} (${clientArchName(v.readUInt16BE(k))})`);
      return out.join(', ');
    }
    case 'client-id':
      // RFC 2132 §9.14: type 1 is Ethernet, followed by the MAC.
      if (v.length === 7 && v[0] === 1) return `1 (ethernet) ${Array.from(v.subarray(1), (b) => b.toString(16).padStart(2, '0')).join(':')}`;
      return v.length === 0 ? null : `${v[0]} ${hex(v.subarray(1))}`;
    case 'client-ndi': return v.length === 3 && v[0] === 1 ? `UNDI ${v[1]}.${v[2]}` : null;
    case 'uuid': {
      if (v.length !== 17 || v[0] !== 0) return null;
      const h = v.toString('hex', 1);
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    }
    case 'user-class': return userClass(v);
    case 'domain-list': return domainList(v)?.join(', ') ?? null;
    case 'classless-routes': return classlessRoutes(v)?.join(', ') ?? null;
    case 'pxe-boot-servers':
      return parsePxeBootServers(v)?.map((s) => `type ${s.type}: ${s.ips.join(' ') || '(none)'}`).join(', ') ?? null;
    case 'pxe-boot-menu':
      return parsePxeBootMenu(v)?.map((m) => `type ${m.type} ${JSON.stringify(m.description)}`).join(', ') ?? null;
    case 'pxe-menu-prompt': {
      const p = parsePxeMenuPrompt(v);
      return p === null ? null : `timeout ${p.timeout} ${JSON.stringify(p.text)}`;
    }
    case 'pxe-boot-item': {
      const b = parsePxeBootItem(v);
      return b === null ? null : `type ${b.type} layer ${b.layer}`;
    }
    case 'encapsulated': return hex(v);
  }
}

/** Same rule as getUserClasses: RFC 3004 entries when they tile the value exactly, else one plain string. */
function userClass(v: Buffer): string {
  const entries: string[] = [];
  let i = 0;
  while (i < v.length) {
    const len = v[i] as number;
    if (len === 0 || i + 1 + len > v.length) break;
    entries.push(JSON.stringify(decodeText(v, i + 1, i + 1 + len)));
    i += 1 + len;
  }
  if (v.length > 0 && i === v.length) return `${entries.join(', ')} (RFC 3004)`;
  return text(v);
}

function valueOrHex(info: OptionInfo | undefined, v: Buffer): string {
  if (info === undefined) return hex(v);
  const rendered = typedValue(info.type, v);
  return rendered ?? `${hex(v)} (malformed ${info.type})`;
}

/** Option 43 means PXE sub-options only when the vendor class says PXEClient (PXE 2.1 §2.4.1). */
function hasSubOptions(p: DhcpPacket, code: number): boolean {
  if (code === 82 || code === 175) return true;
  return code === 43 && (p.options.get(60)?.toString('latin1').startsWith('PXEClient') ?? false);
}

function optionLines(p: DhcpPacket, code: number, v: Buffer, out: string[]): void {
  const info = DHCP_OPTIONS.get(code);
  const name = info?.name ?? 'unknown';
  const table = hasSubOptions(p, code) ? subOptionTable(code) : null;
  const subs = table === null ? null : decodeSubOptions(v);
  if (table === null || subs === null) {
    out.push(`option ${code} ${name}: ${table === null ? valueOrHex(info, v) : `${hex(v)} (malformed sub-options)`}`);
    return;
  }
  out.push(`option ${code} ${name}: ${subs.size} sub-option${subs.size === 1 ? '' : 's'}`);
  for (const [sub, sv] of subs) {
    const subInfo = table.get(sub);
    out.push(`  ${code}.${sub} ${subInfo?.name ?? 'unknown'}: ${valueOrHex(subInfo, sv)}`);
  }
}

const BOOT_OP_NAMES: Record<number, string> = { [BootOp.Request]: 'BOOTREQUEST', [BootOp.Reply]: 'BOOTREPLY' };

/** Render `p` as text, one line per header field and option, ending with a newline. */
export function formatPacket(p: DhcpPacket): string {
  const out: string[] = [];
  out.push(`op: ${BOOT_OP_NAMES[p.op] ?? 'unknown'} (${p.op})`);
  out.push(`htype: ${p.htype}${p.htype === 1 ? ' (ethernet)' : ''}`);
  out.push(`hlen: ${p.hlen}`);
  out.push(`hops: ${p.hops}`);
  out.push(`xid: 0x${(p.xid >>> 0).toString(16).padStart(8, '0')}`);
  out.push(`secs: ${p.secs}`);
  const otherFlags = p.flags & ~FLAG_BROADCAST;
  out.push(`flags: 0x${p.flags.toString(16).padStart(4, '0')}${p.flags & FLAG_BROADCAST ? ' (broadcast)' : ''}${otherFlags ? ' (reserved bits set)' : ''}`);
  out.push(`ciaddr: ${p.ciaddr}`);
  out.push(`yiaddr: ${p.yiaddr}`);
  out.push(`siaddr: ${p.siaddr}`);
  out.push(`giaddr: ${p.giaddr}`);
  const mac = macOf(p);
  const tail = p.chaddr.subarray(Math.min(p.hlen, p.chaddr.length));
  out.push(`chaddr: ${mac || '(none)'}${tail.some((b) => b !== 0) ? ` (then ${hex(tail)})` : ''}`);
  out.push(`sname: ${JSON.stringify(p.sname)}`);
  out.push(`file: ${JSON.stringify(p.file)}`);
  for (const [code, v] of p.options) optionLines(p, code, v, out);
  return out.join('\n') + '\n';
}
