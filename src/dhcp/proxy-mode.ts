/**
 * proxyDHCP (PXE 2.1 §2.2.5 and §2.2.6): on a segment whose own DHCP server hands out
 * addresses, add the boot part for PXE and iPXE clients and nothing else. One decoded request
 * in, at most one reply out; no socket, no store, no clock. What a client boots comes from
 * `boot/decide.ts` (or, for a chosen menu item, `boot/pxe-menu.ts`); this file only knows which
 * request gets which kind of reply and where it goes. What a client boots comes from the
 * ReplyPolicy (`reply-policy.ts`): bootfleet's own (`native-policy.ts`, wrapping `boot/decide.ts`
 * and `boot/pxe-menu.ts`) unless another is given (dnsmasq's, for `bootfleet dnsmasq`).
 *
 * Which requests are answered (the rule dnsmasq ≥ 2.77 follows in rfc2131.c, checked there):
 * - port 67, DISCOVER → proxy OFFER.
 * - port 67, REQUEST → nothing, unless it carries PXE option 43.71 (a boot server discovery
 *   request: iPXE broadcasts those to port 67). Any other REQUEST on 67 is the client taking
 *   the LAN server's offer; an ACK from us there, even without an address, could be taken as
 *   the answer to it. (dnsmasq before 2.77 ACKed every REQUEST "for gPXE"; it stopped.)
 * - port 4011, REQUEST (or INFORM) → ACK: UEFI PXE (EDK2, from port 4011) after a proxy offer
 *   without option 43, iPXE (from port 68) after a proxy offer it found no PXE options in, and
 *   boot server discovery for a chosen menu item. DISCOVER on 4011 gets an OFFER, as dnsmasq.
 * Whatever arrives, a reply never carries an address, a lease time or network options, and no
 * NAK is ever sent: `proxySafetyProblem` checks every reply before it leaves.
 */
import type { BootfleetConfig } from '../config/schema.js';
import type { EventSink } from '../events/boot-event.js';
import { factsFromPacket } from '../boot/facts-from-packet.js';
import { PXE_TYPE_LOCAL } from '../boot/pxe-menu.js';
import { MessageType, type DhcpPacket } from '../wire/dhcp/packet.js';
import { decodeSubOptions, getMaxMessageSize, macOf } from '../wire/dhcp/options.js';
import { parsePxeBootItem, PXE_BOOT_ITEM, type PxeBootItem } from '../wire/dhcp/pxe-options.js';
import type { DhcpReply, ReceivingInterface } from './full-mode.js';
import { nativeReplyPolicy, type PlanFunction } from './native-policy.js';
import type { ReplyPolicy } from './reply-policy.js';
import { isUnset } from './ipv4-math.js';
import { LIMITED_BROADCAST, type Destination } from './reply-address.js';
import { baseReply } from './reply-builder.js';
import type { DhcpDropCode } from './screen.js';

/** PXE 2.1 §2.2.6: the boot server (and proxyDHCP REQUEST) port. */
export const PXE_PORT = 4011;

const OPTION_VENDOR_SPECIFIC = 43;
/** RFC 2131 §2: every client accepts 576-byte messages. */
const MIN_MESSAGE = 576;
const MAX_MESSAGE = 1500 - 20 - 8;
/** PXE 2.1 §2.4.1: bit 15 of the layer asks for BIS credentials, which bootfleet does not offer. */
const LAYER_BIS = 0x8000;

/** Options a proxy reply must never carry: addresses, leases and network setup belong to the LAN's server. */
const FORBIDDEN_OPTIONS: ReadonlyMap<number, string> = new Map([
  [1, 'subnet mask'],
  [3, 'router'],
  [6, 'DNS servers'],
  [12, 'host name'],
  [15, 'domain'],
  [28, 'broadcast address'],
  [50, 'requested address'],
  [51, 'lease time'],
  [58, 'renewal time'],
  [59, 'rebinding time'],
]);

/** Which of a proxy interface's sockets a request came in on. */
export type ProxyPortKind = 'dhcp' | 'pxe';

export interface ProxyRequestContext {
  iface: ReceivingInterface;
  via: ProxyPortKind;
  /** The datagram's source: replies on port 4011 go back to it (EDK2 sends from 4011, iPXE from 68). */
  from: { address: string; port: number };
}

export interface ProxyModeOptions {
  config: BootfleetConfig;
  events: EventSink;
  /** Boot plans for the native policy; default `decide()` in proxy mode. Injectable for tests. */
  plan?: PlanFunction;
  /** The boot policy; default bootfleet's own over `config` (with `plan`). */
  policy?: ReplyPolicy;
}

export type ProxyModeOutcome = { kind: 'reply'; reply: DhcpReply } | { kind: 'silent' } | { kind: 'drop'; code: DhcpDropCode };

export class ProxyModeResponder {
  private readonly policy: ReplyPolicy;

  constructor(private readonly opts: ProxyModeOptions) {
    this.policy = opts.policy ?? nativeReplyPolicy({ config: opts.config, ...(opts.plan !== undefined ? { proxyPlan: opts.plan } : {}) });
  }

  /** Handles one screened request (see `screen.ts`) that arrived on `ctx.iface` by `ctx.via`. */
  handle(req: DhcpPacket, type: MessageType, ctx: ProxyRequestContext): ProxyModeOutcome {
    const mac = macOf(req);
    const rawItem = rawBootItemOf(req);
    const item = rawItem === null || rawItem.type === PXE_TYPE_LOCAL ? null : rawItem;
    const isRequest = type === MessageType.Request || type === MessageType.Inform;
    let replyType: MessageType;
    if (type === MessageType.Discover) replyType = MessageType.Offer;
    else if (isRequest && (ctx.via === 'pxe' || item !== null)) replyType = MessageType.Ack;
    else if (isRequest) return this.silent(mac, `${MessageType[type]} on port ${this.opts.config.dhcp.port} is for the LAN's DHCP server`);
    else return this.silent(mac, `${MessageType[type] ?? type} is not for a proxyDHCP server`);

    const facts = factsFromPacket(req);
    if (item !== null && (item.layer & LAYER_BIS) !== 0) return this.silent(mac, `boot item ${item.type} asks for BIS credentials (not offered)`);
    const verdict = this.policy.proxy({ packet: req, type, facts, iface: ctx.iface, via: ctx.via, item, rawItem });
    if (verdict.kind === 'ignore') return this.silent(mac, verdict.reason);

    const reply = baseReply(req, replyType, ctx.iface.address);
    // RFC 2131 Table 3: an ACK carries the request's ciaddr (the address the LAN's server gave).
    if (replyType === MessageType.Ack) reply.ciaddr = req.ciaddr;
    verdict.apply(reply);

    const problem = proxySafetyProblem(reply);
    if (problem !== null) {
      this.opts.events.emit({ kind: 'dhcp.drop', level: 'error', mac, msg: `refusing to send an unsafe proxy reply: ${problem}`, data: { code: 'DHCP_PROXY_UNSAFE' } });
      return { kind: 'drop', code: 'DHCP_PROXY_UNSAFE' };
    }
    const to = proxyDestination(req, replyType, ctx, this.opts.config.dhcp.port);
    this.opts.events.emit({
      kind: replyType === MessageType.Offer ? 'dhcp.proxy-offer' : 'dhcp.proxy-ack',
      level: 'info',
      mac,
      msg: `proxy ${replyType === MessageType.Offer ? 'OFFER' : 'ACK'} (${verdict.label}) to ${to.address}:${to.port}`,
      data: {
        iface: ctx.iface.name,
        port: ctx.via === 'pxe' ? PXE_PORT : this.opts.config.dhcp.port,
        boot: verdict.label,
        file: reply.file || null,
        reason: verdict.reason,
        clientIp: isUnset(req.ciaddr) ? null : req.ciaddr,
        bootItem: item?.type ?? null,
        // Which firmware asked: the doctor tells a PXE ROM's request from iPXE's by it.
        firmware: facts.firmware,
        arch: facts.arch,
      },
    });
    const clientMax = getMaxMessageSize(req.options) ?? MIN_MESSAGE;
    // Never overload: gPXE and old PXE ROMs read the boot file from `file` only (design.md).
    return { kind: 'reply', reply: { packet: reply, to, encode: { maxSize: Math.min(clientMax, MAX_MESSAGE), allowOverload: false } } };
  }

  private silent(mac: string, why: string): ProxyModeOutcome {
    this.opts.events.emit({ kind: 'dhcp.silent', level: 'debug', mac, msg: `no proxy reply: ${why}` });
    return { kind: 'silent' };
  }
}

/**
 * PXE option 43.71 from a client's REQUEST: the boot server type and layer it asks for. Type 0
 * (bootstrap, also "local boot" in menus) counts as none: a client never asks a server for it,
 * and EDK2's proxy BINL REQUEST is a plain request for the boot file.
 */
export function bootItemOf(req: DhcpPacket): PxeBootItem | null {
  const item = rawBootItemOf(req);
  return item === null || item.type === PXE_TYPE_LOCAL ? null : item;
}

/** Option 43.71 as sent, type 0 included. */
export function rawBootItemOf(req: DhcpPacket): PxeBootItem | null {
  const vendor = req.options.get(OPTION_VENDOR_SPECIFIC);
  if (vendor === undefined) return null;
  const raw = decodeSubOptions(vendor)?.get(PXE_BOOT_ITEM);
  return raw === undefined ? null : parsePxeBootItem(raw);
}

/**
 * Where a proxy reply goes. Port 4011: back to the datagram's source address and port,
 * unicast (EDK2 listens on 4011, iPXE on 68). Port 67: through the relay when relayed; to
 * ciaddr when the client has an address and this is not a DISCOVER; otherwise broadcast,
 * because the client has no address yet (and EDK2 sets the broadcast flag anyway).
 */
export function proxyDestination(req: DhcpPacket, replyType: MessageType, ctx: ProxyRequestContext, serverPort: number): Destination {
  const clientPort = serverPort + 1;
  if (ctx.via === 'pxe') {
    return isUnset(ctx.from.address) ? { address: LIMITED_BROADCAST, port: ctx.from.port } : { address: ctx.from.address, port: ctx.from.port };
  }
  if (!isUnset(req.giaddr)) return { address: req.giaddr, port: serverPort };
  if (replyType !== MessageType.Offer && !isUnset(req.ciaddr)) return { address: req.ciaddr, port: clientPort };
  return { address: LIMITED_BROADCAST, port: clientPort };
}

/**
 * Why `reply` must not leave a proxyDHCP server, or null when it may: it hands out an address
 * (yiaddr), is not an OFFER or ACK (a NAK would tear down the LAN server's lease), or carries
 * lease or network options.
 */
export function proxySafetyProblem(reply: DhcpPacket): string | null {
  if (!isUnset(reply.yiaddr)) return `yiaddr ${reply.yiaddr} is set`;
  const type = reply.options.get(53);
  if (type === undefined || type.length !== 1 || (type[0] !== MessageType.Offer && type[0] !== MessageType.Ack)) return 'message type is not OFFER or ACK';
  for (const [code, name] of FORBIDDEN_OPTIONS) if (reply.options.has(code)) return `carries option ${code} (${name})`;
  return null;
}
