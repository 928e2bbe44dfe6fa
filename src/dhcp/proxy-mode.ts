/**
 * proxyDHCP (PXE 2.1 §2.2.5 and §2.2.6): on a segment whose own DHCP server hands out
 * addresses, add the boot part for PXE and iPXE clients and nothing else. One decoded request
 * in, at most one reply out; no socket, no store, no clock. What a client boots comes from
 * `boot/decide.ts` (or, for a chosen menu item, `boot/pxe-menu.ts`); this file only knows which
 * request gets which kind of reply and where it goes.
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
import type { BootPlan } from '../boot/boot-plan.js';
import type { ClientFacts } from '../boot/client-facts.js';
import { decide } from '../boot/decide.js';
import { factsFromPacket } from '../boot/facts-from-packet.js';
import { planForMenuSelection, pxeMenuVendorOptions, PXE_TYPE_LOCAL } from '../boot/pxe-menu.js';
import { MessageType, type DhcpPacket } from '../wire/dhcp/packet.js';
import { decodeSubOptions, getMaxMessageSize, getParamRequestList, macOf, setBytes, setString } from '../wire/dhcp/options.js';
import { encodePxeVendorOptions, parsePxeBootItem, PXE_BOOT_ITEM, PXE_DISCOVERY_USE_BOOTFILE, type PxeBootItem } from '../wire/dhcp/pxe-options.js';
import { applyBootPlan } from './boot-options.js';
import type { DhcpReply, ReceivingInterface } from './full-mode.js';
import { isUnset } from './ipv4-math.js';
import { LIMITED_BROADCAST, type Destination } from './reply-address.js';
import { baseReply } from './reply-builder.js';
import type { DhcpDropCode } from './screen.js';

/** PXE 2.1 §2.2.6: the boot server (and proxyDHCP REQUEST) port. */
export const PXE_PORT = 4011;

const OPTION_VENDOR_SPECIFIC = 43;
const OPTION_VENDOR_CLASS = 60;
const OPTION_CLIENT_UUID = 97;
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
  /** Boot policy; default `decide()` in proxy mode. Injectable for tests. */
  plan?: (facts: ClientFacts, serverAddress: string) => BootPlan;
}

export type ProxyModeOutcome = { kind: 'reply'; reply: DhcpReply } | { kind: 'silent' } | { kind: 'drop'; code: DhcpDropCode };

export class ProxyModeResponder {
  private readonly plan: (facts: ClientFacts, serverAddress: string) => BootPlan;

  constructor(private readonly opts: ProxyModeOptions) {
    this.plan =
      opts.plan ?? ((facts, serverAddress) => decide(facts, { mode: 'proxy', serverAddress, httpPort: opts.config.http.port, config: opts.config }));
  }

  /** Handles one screened request (see `screen.ts`) that arrived on `ctx.iface` by `ctx.via`. */
  handle(req: DhcpPacket, type: MessageType, ctx: ProxyRequestContext): ProxyModeOutcome {
    const mac = macOf(req);
    const item = bootItemOf(req);
    const isRequest = type === MessageType.Request || type === MessageType.Inform;
    let replyType: MessageType;
    if (type === MessageType.Discover) replyType = MessageType.Offer;
    else if (isRequest && (ctx.via === 'pxe' || item !== null)) replyType = MessageType.Ack;
    else if (isRequest) return this.silent(mac, `${MessageType[type]} on port ${this.opts.config.dhcp.port} is for the LAN's DHCP server`);
    else return this.silent(mac, `${MessageType[type] ?? type} is not for a proxyDHCP server`);

    const facts = factsFromPacket(req);
    const serverAddress = ctx.iface.serverAddress ?? ctx.iface.address;
    if (item !== null && (item.layer & LAYER_BIS) !== 0) return this.silent(mac, `boot item ${item.type} asks for BIS credentials (not offered)`);
    const plan = item !== null ? planForMenuSelection(facts, item.type, this.opts.config) : this.plan(facts, serverAddress);
    if (plan.kind === 'ignore' || plan.kind === 'no-boot') return this.silent(mac, plan.reason);

    const reply = baseReply(req, replyType, ctx.iface.address);
    // RFC 2131 Table 3: an ACK carries the request's ciaddr (the address the LAN's server gave).
    if (replyType === MessageType.Ack) reply.ciaddr = req.ciaddr;
    setString(reply.options, OPTION_VENDOR_CLASS, 'PXEClient');
    const uuid = req.options.get(OPTION_CLIENT_UUID);
    if (uuid !== undefined && uuid.length === 17) setBytes(reply.options, OPTION_CLIENT_UUID, uuid);
    this.fillBoot(reply, req, plan, facts, item, ctx, serverAddress);

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
      msg: `proxy ${replyType === MessageType.Offer ? 'OFFER' : 'ACK'} (${plan.kind}) to ${to.address}:${to.port}`,
      data: {
        iface: ctx.iface.name,
        port: ctx.via === 'pxe' ? PXE_PORT : this.opts.config.dhcp.port,
        boot: plan.kind,
        file: reply.file || null,
        reason: plan.reason,
        clientIp: isUnset(req.ciaddr) ? null : req.ciaddr,
        bootItem: item?.type ?? null,
      },
    });
    const clientMax = getMaxMessageSize(req.options) ?? MIN_MESSAGE;
    // Never overload: gPXE and old PXE ROMs read the boot file from `file` only (design.md).
    return { kind: 'reply', reply: { packet: reply, to, encode: { maxSize: Math.min(clientMax, MAX_MESSAGE), allowOverload: false } } };
  }

  private fillBoot(reply: DhcpPacket, req: DhcpPacket, plan: BootPlan, facts: ClientFacts, item: PxeBootItem | null, ctx: ProxyRequestContext, serverAddress: string): void {
    if (plan.kind === 'pxe-menu') {
      reply.siaddr = serverAddress;
      // The menu's boot servers are where our port 4011 listens: this interface's address.
      if (!this.redirectToPxePort(facts, item, ctx)) setVendorOptions(reply, encodePxeVendorOptions(pxeMenuVendorOptions(plan.menu, ctx.iface.address)));
      return;
    }
    applyBootPlan(reply, plan, { serverAddress, requested: getParamRequestList(req.options) });
    if (plan.kind === 'uefi-http') return; // HTTP boot is not PXE: no option 43 (applyBootPlan set 60 HTTPClient)
    if (item !== null) {
      // PXE 2.1 §2.2.7: a boot server ACK names the item it answers; iPXE drops one that does not.
      setVendorOptions(reply, encodePxeVendorOptions({ bootItem: item }));
    } else if (!this.redirectToPxePort(facts, item, ctx)) {
      // Bit 3: boot the file in this reply, no menu or boot server discovery (PXE 2.1 Table 2-1).
      // dnsmasq sends exactly this (6 = 8) when it supplies the file and has no menu.
      setVendorOptions(reply, encodePxeVendorOptions({ discoveryControl: PXE_DISCOVERY_USE_BOOTFILE }));
    }
  }

  /**
   * UEFI PXE firmware gets no option 43 in the port-67 offer, as dnsmasq does ("Redirect EFI
   * clients to port 4011"): EDK2 then classes the offer as proxy BINL and asks again on 4011
   * (lab notes, pitfall 1), and the ACK there carries the file or menu. Firmware that takes
   * a file from a proxy offer directly varies among UEFI vendors; the 4011 exchange does not.
   */
  private redirectToPxePort(facts: ClientFacts, item: PxeBootItem | null, ctx: ProxyRequestContext): boolean {
    return facts.firmware === 'uefi-pxe' && ctx.via === 'dhcp' && item === null;
  }

  private silent(mac: string, why: string): ProxyModeOutcome {
    this.opts.events.emit({ kind: 'dhcp.silent', level: 'debug', mac, msg: `no proxy reply: ${why}` });
    return { kind: 'silent' };
  }
}

function setVendorOptions(reply: DhcpPacket, value: Buffer): void {
  setBytes(reply.options, OPTION_VENDOR_SPECIFIC, value);
}

/**
 * PXE option 43.71 from a client's REQUEST: the boot server type and layer it asks for. Type 0
 * (bootstrap, also "local boot" in menus) counts as none: a client never asks a server for it,
 * and EDK2's proxy BINL REQUEST is a plain request for the boot file.
 */
export function bootItemOf(req: DhcpPacket): PxeBootItem | null {
  const vendor = req.options.get(OPTION_VENDOR_SPECIFIC);
  if (vendor === undefined) return null;
  const raw = decodeSubOptions(vendor)?.get(PXE_BOOT_ITEM);
  const item = raw === undefined ? null : parsePxeBootItem(raw);
  return item === null || item.type === PXE_TYPE_LOCAL ? null : item;
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
