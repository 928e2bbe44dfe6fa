/**
 * What dnsmasq 2.90 answers to a DISCOVER or a REQUEST under a configuration — the message
 * type, the address, and the boot-relevant fields and options — computed from the model
 * without running dnsmasq. The differential tests check this against dnsmasq itself; later,
 * bootfleet's DHCP server will answer from the same decisions.
 *
 * Modelled: full mode (rfc2131.c DHCPDISCOVER, DHCPREQUEST in SELECTING and INIT-REBOOT) and
 * proxyDHCP on port 67. Not modelled (answered with kind 'unsupported'): BOOTP, INFORM,
 * RENEWING/REBINDING, DECLINE, RELEASE, port 4011, relays (giaddr) and option 82.
 */
import { MessageType, type DhcpPacket } from '../wire/dhcp/packet.js';
import { getMessageType, macOf } from '../wire/dhcp/options.js';
import { allocateAddress, LeaseBook } from './address.js';
import { classify, type Classification } from './classify.js';
import { narrowContext, rangeHolding, type Context, type ReceivingInterface } from './contexts.js';
import type { DnsmasqModel } from './model.js';
import { fullModeParts, proxyParts, type OptionInstance, type ReplyParts } from './select-options.js';
import { runTagIf } from './tags.js';

export { LeaseBook } from './address.js';

/** dnsmasq's answer, or why there is none. */
export type PredictedReply =
  | {
      kind: 'reply';
      mode: 'full' | 'proxy';
      messageType: MessageType;
      yiaddr: string;
      /** Set on proxy offers (dnsmasq broadcasts them). */
      broadcast: boolean;
      parts: ReplyParts;
      classification: Classification;
    }
  | { kind: 'none'; why: string; classification: Classification | null }
  | { kind: 'unsupported'; why: string };

/** The options of a reply, each code's instances joined as a decoder joins them (RFC 3396). */
export function joinedOptions(options: readonly OptionInstance[]): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  for (const o of options) {
    const prev = out.get(o.code);
    out.set(o.code, prev === undefined ? o.bytes : Buffer.concat([prev, o.bytes]));
  }
  return out;
}

/** Option 55 as sent, or null when the client sent none. */
export function requestedList(p: DhcpPacket): number[] | null {
  const v = p.options.get(55);
  return v === undefined ? null : Array.from(v);
}

/** dnsmasq mirrors clients that NUL-terminate their names (a hostname ending in NUL: "Microsoft clients are broken"). */
export function nullTerminates(p: DhcpPacket): boolean {
  const fqdn = p.options.get(81);
  if (fqdn !== undefined && fqdn.length >= 3) return (fqdn[0]! & 0x04) === 0 && fqdn.length > 3 && fqdn[fqdn.length - 1] === 0;
  const name = p.options.get(12);
  return name !== undefined && name.length > 0 && name[name.length - 1] === 0;
}

function ipOption(p: DhcpPacket, code: number): string | null {
  const v = p.options.get(code);
  return v !== undefined && v.length >= 4 ? Array.from(v.subarray(0, 4)).join('.') : null;
}

/**
 * dnsmasq's reply to `p`, received on `iface`. `leases` carries addresses between calls
 * (a DISCOVER's offer is held for the REQUEST that follows) and is updated.
 */
export function predictReply(model: DnsmasqModel, p: DhcpPacket, iface: ReceivingInterface, leases: LeaseBook): PredictedReply {
  const type = getMessageType(p);
  if (p.op !== 1) return { kind: 'unsupported', why: 'not a BOOTREQUEST' };
  if (type === null) return { kind: 'unsupported', why: 'BOOTP (no message type) is not modelled' };
  if (type !== MessageType.Discover && type !== MessageType.Request) return { kind: 'unsupported', why: `${MessageType[type]} is not modelled` };
  if (p.giaddr !== '0.0.0.0') return { kind: 'unsupported', why: 'relayed requests are not modelled' };

  const c = classify(model, p, iface);
  if (!c.served.ok) return { kind: 'none', why: c.served.why, classification: c };
  if (c.contexts.length === 0) return { kind: 'none', why: `no dhcp-range on ${iface.name}'s subnet`, classification: c };

  const key = macOf(p);
  const hw = p.chaddr.subarray(0, Math.min(p.hlen, 16));
  const requested = ipOption(p, 50);

  // proxyDHCP: PXE clients that send an architecture, on a subnet with a `proxy` range.
  if (c.pxe !== null && c.pxe.arch !== null && type === MessageType.Discover) {
    const proxy = c.contexts.find((x) => x.range.mode === 'proxy' && runTagIfHolds(model, x, c));
    if (proxy !== undefined) {
      if (c.ignored?.by === 'dhcp-ignore') return { kind: 'none', why: 'dhcp-ignore matches', classification: c };
      const tags = proxy.range.setTag === null ? c.tags : runTagIf(model.tagIfs, new Set([...c.base, proxy.range.setTag]));
      const parts = proxyParts({ model, tags, local: proxy.local, vendorClass: p.options.get(60) ?? null, pxe: { arch: c.pxe.arch, uuid: c.pxe.uuid, vendor: c.pxe.vendor } });
      return { kind: 'reply', mode: 'proxy', messageType: MessageType.Offer, yiaddr: '0.0.0.0', broadcast: true, parts, classification: c };
    }
  }
  if ((c.contexts[0] as Context).range.mode === 'proxy') return { kind: 'none', why: 'proxy range: only PXE clients get an answer', classification: c };
  if (c.ignored !== null) return { kind: 'none', why: `${c.ignored.by} says not to answer`, classification: c };

  const reserved = new Set(model.hostChain.map((h) => h.address).filter((a): a is string => a !== null));
  const hostAddr = c.host?.address ?? null;
  let yiaddr: string;
  let messageType: MessageType;
  let nak: string | null = null;

  if (type === MessageType.Discover) {
    const held = leases.addressOf(key);
    if (hostAddr !== null && (leases.holderOf(hostAddr) === null || leases.holderOf(hostAddr) === key) && !c.contexts.some((x) => x.router === hostAddr)) {
      yiaddr = hostAddr;
    } else if (held !== null && rangeHolding(c.contexts, held, c.tags) !== null && !reservedByOther(model, held, c)) {
      yiaddr = held;
    } else if (requested !== null && rangeHolding(c.contexts, requested, c.tags) !== null && leases.holderOf(requested) === null && !reserved.has(requested)) {
      yiaddr = requested;
    } else {
      const got = allocateAddress(c.contexts, hw, c.tags, leases, reserved);
      if (got === null) return { kind: 'none', why: 'no address available', classification: c };
      yiaddr = got.address;
    }
    messageType = MessageType.Offer;
  } else {
    if (requested === null) return { kind: 'unsupported', why: 'RENEWING/REBINDING requests are not modelled' };
    yiaddr = requested;
    const serverId = ipOption(p, 54);
    const held = leases.addressOf(key);
    if (serverId !== null) {
      if (!c.contexts.some((x) => x.local === serverId) && serverId !== iface.address) {
        if (!model.authoritative) return { kind: 'none', why: 'REQUEST for another server', classification: c };
        nak = 'wrong server-ID';
      }
      if (held !== null && held !== yiaddr) leases.drop(key);
    } else {
      if (held === null && !model.authoritative) return { kind: 'none', why: 'INIT-REBOOT without a lease (not authoritative)', classification: c };
      if (held !== null && held !== yiaddr) nak = 'wrong address';
    }
    if (nak === null) {
      const holder = leases.holderOf(yiaddr);
      if (narrowContext(c.contexts, yiaddr, c.tags) === null) nak = 'wrong network';
      else if (rangeHolding(c.contexts, yiaddr, c.tags) === null && hostAddr !== yiaddr) nak = 'address not available';
      else if (reservedByOther(model, yiaddr, c)) nak = 'address reserved';
      else if (holder !== null && holder !== key) nak = 'address in use';
    }
    messageType = nak === null ? MessageType.Ack : MessageType.Nak;
  }

  if (nak !== null) {
    leases.drop(key);
    return {
      kind: 'reply', mode: 'full', messageType: MessageType.Nak, yiaddr: '0.0.0.0', broadcast: true,
      parts: { siaddr: '0.0.0.0', sname: '', file: '', options: [], boot: null, tags: c.tags }, classification: c,
    };
  }
  const context = narrowContext(c.contexts, yiaddr, c.tags);
  if (context === null) return { kind: 'none', why: `${yiaddr} is on no dhcp-range`, classification: c };
  leases.set(key, yiaddr);
  const parts = fullModeParts({
    model, base: c.base, context, requested: requestedList(p), nullTerm: nullTerminates(p), vendorClass: p.options.get(60) ?? null,
    pxe: c.pxe !== null && c.pxe.arch !== null ? { arch: c.pxe.arch, uuid: c.pxe.uuid, vendor: c.pxe.vendor } : null,
  });
  return { kind: 'reply', mode: 'full', messageType, yiaddr, broadcast: false, parts, classification: c };
}

function runTagIfHolds(model: DnsmasqModel, ctx: Context, c: Classification): boolean {
  return ctx.range.filters.every((f) => c.tags.has(f.name) !== f.negated);
}

/** A dhcp-host line other than this client's reserves `addr`. */
function reservedByOther(model: DnsmasqModel, addr: string, c: Classification): boolean {
  return model.hostChain.some((h) => h.address === addr && h !== c.host);
}
