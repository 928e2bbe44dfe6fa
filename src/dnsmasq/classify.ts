/**
 * The tag engine: which tags a DHCP request gets under a dnsmasq configuration, in the order
 * dnsmasq gives them (rfc2131.c `dhcp_reply`), each with the line that gave it:
 *
 *  1. the name of the interface the request arrived on;
 *  2. dhcp-mac lines whose pattern matches the client's hardware address;
 *  3. dhcp-match lines whose option is present (and matches the value, if one is given);
 *  4. dhcp-vendorclass / dhcp-userclass lines whose text occurs in option 60 / 77;
 *  5. `known` when a dhcp-host line matches the client (tagged dhcp-host lines first), or
 *     `known-othernet` when one matches but its address is on another subnet;
 *  6. the matching dhcp-host line's `set:` tags;
 *  7. tag-if lines, in file order, over all of the above.
 *
 * The dhcp-range `set:` tag is added later, once the address (and so the range) is known —
 * and for options it counts less than the others (see select-options.ts).
 */
import type { DhcpHostDirective } from './directive.js';
import { contextsFor, relayedContexts, sameNet, type Context, type ReceivingInterface, type RelayMemory } from './contexts.js';
import type { DnsmasqModel } from './model.js';
import type { OptionValue } from './parse-option-value.js';
import type { SourceRef } from './problems.js';
import { conditionsHold, runTagIf } from './tags.js';
import { MessageType, type DhcpPacket } from '../wire/dhcp/packet.js';
import { getMessageType } from '../wire/dhcp/options.js';
import { selectionAddress } from '../dhcp/subnet-selection.js';

/** Why a tag is set. */
export interface TagReason {
  tag: string;
  why: string;
  at: SourceRef | null;
}

/** What dnsmasq knows about a PXE client (only when pxe-service or pxe-prompt is configured). */
export interface PxeClientFacts {
  /** The PXE vendor prefix the client's option 60 starts with (dnsmasq: PXEClient). */
  vendor: string;
  /** Option 93's first architecture, or null when the client sent none. */
  arch: number | null;
  /** Option 97 (type + 16-byte UUID), echoed back to PXE clients. */
  uuid: Buffer | null;
}

export interface Classification {
  /** Whether dnsmasq answers DHCP on this interface at all, and why not. */
  served: { ok: true } | { ok: false; why: string };
  /** dhcp-range lines on this interface, file order. */
  contexts: Context[];
  /** dnsmasq `netid`: tags before tag-if (no range tag). */
  base: Set<string>;
  /** dnsmasq `tagif_netid`: base plus tag-if results. */
  tags: Set<string>;
  reasons: TagReason[];
  host: DhcpHostDirective | null;
  /** A dhcp-ignore line, or the dhcp-host line's `ignore`, says not to answer. */
  ignored: { by: 'dhcp-ignore' | 'dhcp-host'; at: SourceRef } | null;
  pxe: PxeClientFacts | null;
}

/** dnsmasq's default PXE vendor class prefix (dhcp-pxe-vendor). */
export const PXE_VENDOR = 'PXEClient';

/** An option the client sent with at least one byte (dnsmasq `option_find(…, 1)`), else null. */
function sent(p: DhcpPacket, code: number): Buffer | null {
  const v = p.options.get(code);
  return v !== undefined && v.length >= 1 ? v : null;
}

/** dnsmasq `memcmp_masked`: 0 on mismatch, else 1 + the number of non-wildcard bytes compared. */
export function maskedMatch(pattern: Uint8Array, wildcard: readonly boolean[], data: Uint8Array): number {
  let count = 1;
  for (let i = 0; i < pattern.length; i++) {
    if (wildcard[i] === true) continue;
    if (pattern[i] !== data[i]) return 0;
    count++;
  }
  return count;
}

/**
 * dnsmasq `match_bytes`: a dhcp-match value against an option's bytes. No value: present is
 * enough. Hex: a prefix match with wildcards. Text: a substring anywhere. Other values (a
 * number, addresses): one element of the option, read as an array of same-sized elements.
 */
export function valueMatches(v: OptionValue, data: Uint8Array): boolean {
  const want = v.bytes;
  if (want.length > data.length) return false;
  if (want.length === 0) return true;
  if (v.form === 'hex') return maskedMatch(want, v.wildcard ?? [], data) > 0;
  const step = v.isString ? 1 : want.length;
  for (let i = 0; i <= data.length - want.length; i += step) {
    if (Buffer.compare(want, data.subarray(i, i + want.length)) === 0) return true;
  }
  return false;
}

/** RFC 3925 option 125: does any data item under `enterprise` match? */
function viEncapMatches(v: OptionValue, option: Buffer, enterprise: number): boolean {
  for (let off = 0; off + 5 <= option.length; ) {
    const len = option[off + 4] as number;
    if (off + 5 + len > option.length) break;
    if (option.readUInt32BE(off) === enterprise) {
      for (let o2 = off + 5; o2 < off + 5 + len; ) {
        const elen = option[o2] as number;
        if (o2 + 1 + elen > option.length) break;
        if (valueMatches(v, option.subarray(o2 + 1, o2 + 1 + elen))) return true;
        o2 += elen + 1;
      }
    }
    off += len + 5;
  }
  return false;
}

/**
 * Option 77 as dnsmasq matches it: when the value parses as RFC 3004 counted strings, the
 * count bytes become zeros so a class cannot match across them; else (iPXE's plain "iPXE",
 * dhclient) the bytes as sent.
 */
function userClassForMatching(v: Buffer): Buffer {
  let j = 0;
  while (j < v.length) j += (v[j] as number) + 1;
  if (j !== v.length) return v;
  const out = Buffer.from(v);
  for (let k = 0; k < out.length; k = k + (v[k] as number) + 1) out[k] = 0;
  return out;
}

function hostInContext(h: DhcpHostDirective, contexts: readonly Context[] | null): boolean {
  if (contexts === null || h.address === null) return true;
  return contexts.some((c) => sameNet(h.address as string, c.range.start, c.netmask));
}

/** dnsmasq `find_config`: the dhcp-host for this client; tagged lines before untagged ones. */
export function findHost(
  model: DnsmasqModel, p: DhcpPacket, contexts: readonly Context[] | null, tags: ReadonlySet<string>, hostname: string | null,
): DhcpHostDirective | null {
  const clid = sent(p, 61);
  const mac = p.chaddr.subarray(0, Math.min(p.hlen, 16));
  for (const untaggedOk of [false, true]) {
    const usable = (h: DhcpHostDirective): boolean => hostInContext(h, contexts) && conditionsHold(h.filters, tags, untaggedOk);
    if (clid !== null) {
      for (const h of model.hostChain) {
        if (h.clientId === null || !usable(h)) continue;
        if (h.clientId.equals(clid)) return h;
        // dhcpcd prefixes text client ids with a zero byte; dnsmasq copes.
        if (clid[0] === 0 && h.clientId.equals(clid.subarray(1))) return h;
      }
    }
    for (const h of model.hostChain) {
      if (!usable(h)) continue;
      if (h.hwaddrs.some((w) => !w.wildcard.includes(true) && w.bytes.length === mac.length && (w.hwType === 0 || w.hwType === p.htype) && w.bytes.equals(mac))) return h;
    }
    if (hostname !== null && contexts !== null) {
      for (const h of model.hostChain) if (h.hostname !== null && usable(h) && h.hostname.toLowerCase() === hostname.toLowerCase()) return h;
    }
    let best: DhcpHostDirective | null = null;
    let bestCount = 0;
    for (const h of model.hostChain) {
      if (!usable(h)) continue;
      for (const w of h.hwaddrs) {
        if (!w.wildcard.includes(true) || w.bytes.length !== mac.length || (w.hwType !== 0 && w.hwType !== p.htype)) continue;
        const n = maskedMatch(w.bytes, w.wildcard, mac);
        if (n > bestCount) {
          bestCount = n;
          best = h;
        }
      }
    }
    if (best !== null) return best;
  }
  return null;
}

/** True when dnsmasq serves DHCP on `iface` under interface / except-interface / listen-address. */
function servedOn(model: DnsmasqModel, iface: ReceivingInterface): { ok: true } | { ok: false; why: string } {
  const nameMatches = (pattern: string): boolean =>
    pattern.endsWith('*') ? iface.name.startsWith(pattern.slice(0, -1)) : pattern === iface.name;
  if (model.exceptInterfaces.some(nameMatches)) return { ok: false, why: `except-interface names ${iface.name}` };
  if (model.interfaces.length === 0 && model.listenAddresses.length === 0) return { ok: true };
  if (model.interfaces.some(nameMatches) || model.listenAddresses.includes(iface.address)) return { ok: true };
  return { ok: false, why: `${iface.name} is not named by interface= or listen-address=` };
}

/** The tags and facts dnsmasq derives from a request, before it picks an address or options. */
export function classify(model: DnsmasqModel, p: DhcpPacket, iface: ReceivingInterface, relays?: RelayMemory): Classification {
  const reasons: TagReason[] = [];
  const base = new Set<string>();
  const add = (tag: string, why: string, at: SourceRef | null): void => {
    base.add(tag);
    reasons.push({ tag, why, at });
  };
  add(iface.name, 'the interface the request arrived on', null);

  const mac = p.chaddr.subarray(0, Math.min(p.hlen, 16));
  for (const m of model.macs) {
    const w = m.pattern;
    if (w.bytes.length === p.hlen && (w.hwType === 0 || w.hwType === p.htype) && maskedMatch(w.bytes, w.wildcard, mac) > 0) {
      add(m.setTag, 'dhcp-mac matches the client MAC', m.at);
    }
  }
  for (const m of model.matches) {
    const { space, code, value } = m.spec;
    let hit = false;
    if (space.kind === 'vi-encap') {
      const opt = p.options.get(125);
      hit = opt !== undefined && opt.length >= 5 && viEncapMatches(value, opt, space.enterprise);
    } else if (code !== null) {
      const opt = sent(p, code);
      hit = opt !== null && valueMatches(value, opt);
    }
    if (hit) add(m.setTag, `dhcp-match: option ${space.kind === 'vi-encap' ? `125 enterprise ${space.enterprise}` : String(code)}${value.bytes.length > 0 ? ' matches' : ' is present'}`, m.at);
  }
  const vendorClass = sent(p, 60);
  const rawUserClass = sent(p, 77);
  const userClass = rawUserClass === null ? null : userClassForMatching(rawUserClass);
  for (const c of model.classes) {
    const data = c.kind === 'dhcp-vendorclass' ? vendorClass : userClass;
    if (data !== null && data.includes(c.data)) {
      add(c.setTag, `${c.kind}: "${c.data.toString('utf8')}" occurs in option ${c.kind === 'dhcp-vendorclass' ? 60 : 77}`, c.at);
    }
  }

  // A relayed request, or one with a subnet selector (82.5 / 118), is served from the ranges on
  // the subnet it names only (rfc2131.c dhcp_reply).
  const selected = selectionAddress(p);
  let contexts = selected !== null ? relayedContexts(model, selected, iface, p.giaddr, relays) : contextsFor(model, iface);
  // A client renewing straight to the server (no relay) with an address on none of this
  // interface's ranges is served from the ranges of its address, when some hold it (rfc2131.c:
  // "a machine which got a lease via a relay won't use the relay to renew"). dnsmasq ignores a
  // ciaddr in a DISCOVER or next to option 50.
  const type = getMessageType(p);
  const ciaddr = type === MessageType.Discover || p.options.has(50) ? '0.0.0.0' : p.ciaddr;
  if (selected === null && ciaddr !== '0.0.0.0' && !contexts.some((c) => sameNet(ciaddr, c.range.start, c.netmask) && sameNet(ciaddr, c.range.end, c.netmask))) {
    const byAddress = relayedContexts(model, ciaddr, iface, '0.0.0.0', relays);
    if (byAddress.length > 0) contexts = byAddress;
  }
  let host = findHost(model, p, contexts, runTagIf(model.tagIfs, base), null);
  if (host !== null) add('known', 'a dhcp-host line matches this client', host.at);
  else {
    const elsewhere = findHost(model, p, null, runTagIf(model.tagIfs, base), null);
    if (elsewhere !== null) add('known-othernet', 'a dhcp-host line matches, but for another subnet', elsewhere.at);
  }
  if (host === null) {
    // A host named only by hostname matches a client that sends that name (option 12).
    const name = p.options.get(12)?.toString('utf8').replace(/\0+$/, '') ?? null;
    if (name !== null && name !== '') {
      const byName = findHost(model, p, contexts, runTagIf(model.tagIfs, base), name);
      if (byName !== null && byName.clientId === null && byName.hwaddrs.length === 0) {
        host = byName;
        add('known', 'a dhcp-host line names the hostname the client sent', byName.at);
      }
    }
  }
  if (host !== null) for (const t of host.setTags) add(t, 'set: on the matching dhcp-host line', host.at);

  const tags = runTagIf(model.tagIfs, base);
  for (const rule of model.tagIfs) for (const t of rule.set) if (tags.has(t) && !base.has(t)) reasons.push({ tag: t, why: 'tag-if', at: rule.at });

  let ignored: Classification['ignored'] = null;
  for (const ig of model.ignores) if (conditionsHold(ig.conditions, tags, false)) ignored = { by: 'dhcp-ignore', at: ig.at };
  if (ignored === null && host?.ignore === true) ignored = { by: 'dhcp-host', at: host.at };

  let pxe: PxeClientFacts | null = null;
  const v60 = p.options.get(60);
  if (model.pxeEnabled && v60 !== undefined && v60.length >= PXE_VENDOR.length && v60.subarray(0, PXE_VENDOR.length).toString('latin1') === PXE_VENDOR) {
    const arch = p.options.get(93);
    const uuid = p.options.get(97);
    pxe = {
      vendor: PXE_VENDOR,
      arch: arch !== undefined && arch.length >= 2 ? arch.readUInt16BE(0) : null,
      uuid: uuid !== undefined && uuid.length >= 17 ? uuid.subarray(0, 17) : null,
    };
  }

  return { served: servedOn(model, iface), contexts, base, tags, reasons, host, ignored, pxe };
}
