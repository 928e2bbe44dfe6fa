/**
 * dnsmasq's boot policy behind bootfleet's ReplyPolicy seam (`dhcp/reply-policy.ts`): which
 * requests are answered and what boot fields and options a reply carries come from the tag
 * engine (`classify.ts`) and option selection (`select-options.ts`) — the same code the
 * differential tests check against dnsmasq 2.90 — instead of bootfleet's `decide()`.
 *
 * Addresses stay bootfleet's (`dhcp/pool.ts` + the lease store). The policy narrows them the
 * way dnsmasq's configuration does: dhcp-range tag filters (ranges whose `tag:` conditions
 * hold first, then the others that apply), dhcp-host addresses, per-range and per-host lease
 * times. Within that, bootfleet gives the lowest free address where dnsmasq starts from a hash
 * of the MAC (README "Deliberate differences", D1).
 */
import type { ReceivingInterface as ServerInterface } from '../dhcp/full-mode.js';
import type { AddressRules, FullModeRequest, FullModeVerdict, ProxyModeRequest, ProxyModeVerdict, ReplyPolicy } from '../dhcp/reply-policy.js';
import type { EventSink } from '../events/boot-event.js';
import { macOf } from '../wire/dhcp/options.js';
import { MessageType, type DhcpPacket } from '../wire/dhcp/packet.js';
import { classify, type Classification } from './classify.js';
import { narrowContext, sameNet, type Context, type HostNet, type ReceivingInterface, type RelayMemory } from './contexts.js';
import { OPTION_SUBNET_SELECTION, subnetSelector } from '../dhcp/subnet-selection.js';
import type { LeaseTime } from './directive.js';
import type { DnsmasqModel } from './model.js';
import { joinedOptions, nullTerminates, requestedList } from './predict-reply.js';
import { bootServerParts, filterOptions, fullModeParts, proxyParts, type ReplyParts } from './select-options.js';
import { conditionsHold, runTagIf } from './tags.js';
import { ipv4ToNumber } from './text.js';

/** dnsmasq's lease time when a dhcp-range gives none. */
const DEFAULT_LEASE_SECONDS = 3600;
/** dnsmasq's `infinite`: 0xffffffff on the wire. */
const INFINITE_LEASE_SECONDS = 0xffffffff;

/** Options dnsmasq fills with defaults of its own unless a dhcp-option line gives them. */
const OPTION_NETMASK = 1;
const OPTION_ROUTER = 3;
const OPTION_DNS = 6;
const OPTION_HOSTNAME = 12;
const OPTION_DOMAIN = 15;
const OPTION_BROADCAST = 28;

export interface DnsmasqPolicyOptions {
  model: DnsmasqModel;
  /** `log-dhcp`: a debug event per request naming its tags and the lines that chose its reply. */
  logDhcp?: boolean;
  events?: EventSink;
  /** The host's IPv4 addresses: the netmasks of ranges that give none (`contexts.ts` HostNet). */
  hostNets?: readonly HostNet[];
}

/** The prefix length of a dotted netmask. */
function prefixOf(netmask: string): number {
  const n = ipv4ToNumber(netmask);
  let bits = 0;
  for (let i = 31; i >= 0 && ((n >>> i) & 1) === 1; i--) bits++;
  return bits;
}

function receiving(iface: ServerInterface, hostNets: readonly HostNet[] | undefined): ReceivingInterface {
  return { name: iface.name, address: iface.address, prefixLength: prefixOf(iface.netmask), ...(hostNets !== undefined ? { hostNets } : {}) };
}

function seconds(t: LeaseTime | null): number | null {
  return t === null ? null : t === 'infinite' ? INFINITE_LEASE_SECONDS : t;
}

function where(at: { file: string; line: number }): string {
  return `${at.file}:${at.line}`;
}

/** One line saying why: the tags, and which dhcp-boot line (if any) gave the boot file. */
function explain(parts: ReplyParts): string {
  const tags = [...parts.tags].sort().join(', ');
  return `dnsmasq rules: tags [${tags}]; ${parts.boot === null ? 'no dhcp-boot line' : `dhcp-boot at ${where(parts.boot.at)}`}`;
}

/** Writes the boot parts of a reply: fixed fields, then each option (instances joined). */
function writeParts(reply: DhcpPacket, parts: ReplyParts): void {
  reply.siaddr = parts.siaddr;
  reply.sname = parts.sname;
  reply.file = parts.file;
  for (const [code, bytes] of joinedOptions(parts.options)) reply.options.set(code, bytes);
}

function ipBytes(ip: string): Buffer {
  return Buffer.from(ip.split('.').map(Number));
}

/** dnsmasq's policy over a loaded model. */
export function dnsmasqReplyPolicy(opts: DnsmasqPolicyOptions): ReplyPolicy {
  const { model } = opts;
  // dnsmasq's memory of the first relay heard through per relayed range (its router from then on).
  const relays: RelayMemory = new Map();
  const logTags = (p: DhcpPacket, c: Classification, parts: ReplyParts | null, outcome: string): void => {
    if (opts.logDhcp !== true || opts.events === undefined) return;
    const tags = [...(parts?.tags ?? c.tags)].sort();
    opts.events.emit({
      kind: 'dnsmasq.tags',
      level: 'debug',
      mac: macOf(p),
      msg: `tags: ${tags.join(', ')} → ${outcome}`,
      data: {
        tags: tags.join(','),
        why: c.reasons.map((r) => `${r.tag} (${r.why}${r.at === null ? '' : ` ${where(r.at)}`})`).join('; '),
        dhcpBoot: parts?.boot ? where(parts.boot.at) : null,
      },
    });
  };

  return {
    name: 'dnsmasq',
    // The range a request's subnet selects decides full or proxy, wherever it arrived (dnsmasq).
    routing: 'dnsmasq',

    full(req: FullModeRequest): FullModeVerdict {
      const p = req.packet;
      const c = classify(model, p, receiving(req.iface, opts.hostNets), relays);
      const ignore = (reason: string): FullModeVerdict => {
        logTags(p, c, null, `no reply: ${reason}`);
        return { kind: 'ignore', reason };
      };
      if (!c.served.ok) return ignore(c.served.why);
      const first = c.contexts[0];
      if (first === undefined) return ignore(`no dhcp-range on ${req.iface.name}'s subnet`);
      if (first.range.mode === 'proxy') return ignore('proxy range: addresses come from the LAN\'s own server');
      if (c.ignored !== null) return ignore(`${c.ignored.by} at ${where(c.ignored.at)} says not to answer`);

      const rules = addressRules(model, c, macOf(p), requestedLeaseSeconds(p));
      const probe = fullParts(model, c, p, first);
      return {
        kind: 'answer',
        label: 'dnsmasq',
        reason: explain(probe),
        addressRules: rules,
        apply(reply, address) {
          const context = narrowContext(c.contexts, address, c.tags) ?? first;
          const parts = fullParts(model, c, p, context);
          writeParts(reply, parts);
          fillDefaults(reply, model, c, p, context, parts);
          // rfc2131.c do_options: the subnet selector in use (from 82.5 or 118, 4 bytes) goes
          // back as option 118 whether or not the client asked for it (RFC 3011 §3).
          const selector = subnetSelector(p);
          if (selector !== null) reply.options.set(OPTION_SUBNET_SELECTION, ipBytes(selector));
          logTags(p, c, parts, `${reply.file || parts.options.find((o) => o.code === 67) ? 'boot file' : 'address only'} for ${address}`);
        },
      };
    },

    proxy(req: ProxyModeRequest): ProxyModeVerdict {
      const p = req.packet;
      const c = classify(model, p, receiving(req.iface, opts.hostNets), relays);
      const ignore = (reason: string): ProxyModeVerdict => {
        logTags(p, c, null, `no proxy reply: ${reason}`);
        return { kind: 'ignore', reason };
      };
      if (!c.served.ok) return ignore(c.served.why);
      if (c.pxe === null) {
        return ignore(model.pxeEnabled ? 'not a PXE client (option 60 does not start with PXEClient)' : 'no pxe-service or pxe-prompt line: dnsmasq answers no proxyDHCP requests');
      }
      const pxe = c.pxe;
      const vendorClass = p.options.get(60) ?? null;
      const answer = (parts: ReplyParts, label: string): ProxyModeVerdict => ({
        kind: 'answer',
        label,
        reason: explain(parts),
        apply(reply) {
          writeParts(reply, parts);
          logTags(p, c, parts, `${label}${parts.file ? ` file ${parts.file}` : ''}`);
        },
      });

      // A boot server request (43.71), on either port: dnsmasq answers it before anything else.
      if ((req.type === MessageType.Request || req.type === MessageType.Inform) && req.rawItem !== null) {
        if (c.ignored?.by === 'dhcp-ignore') return ignore(`dhcp-ignore at ${where(c.ignored.at)}`);
        const context = c.contexts.find((x) => conditionsHold(x.range.filters, c.tags, true) && sameNet(p.ciaddr, x.range.start, x.netmask));
        if (context === undefined) return ignore(`boot server request from ${p.ciaddr}: no dhcp-range holds it`);
        const parts = bootServerParts({ model, tags: c.tags, local: context.local, vendorClass, pxe: { uuid: pxe.uuid, vendor: pxe.vendor }, item: req.rawItem });
        if (parts === null) return ignore(`boot server type ${req.rawItem.type}: no pxe-service of that type with a boot file`);
        return answer(parts, 'dnsmasq boot server');
      }
      if (pxe.arch === null) return ignore('PXE client without option 93 (client architecture)');
      if (!(req.type === MessageType.Discover || (req.via === 'pxe' && req.type === MessageType.Request))) {
        return ignore(`${MessageType[req.type] ?? req.type} on ${req.via === 'pxe' ? 'port 4011' : 'port 67'} is not for a proxyDHCP server`);
      }
      const range = c.contexts.find((x) => x.range.mode === 'proxy' && conditionsHold(x.range.filters, c.tags, true));
      if (range === undefined) return ignore('no proxy dhcp-range applies to this client');
      if (c.ignored?.by === 'dhcp-ignore') return ignore(`dhcp-ignore at ${where(c.ignored.at)}`);
      const tags = range.range.setTag === null ? c.tags : runTagIf(model.tagIfs, new Set([...c.base, range.range.setTag]));
      const parts = proxyParts({ model, tags, local: range.local, vendorClass, pxe: { arch: pxe.arch, uuid: pxe.uuid, vendor: pxe.vendor }, port4011: req.via === 'pxe' });
      return answer(parts, 'dnsmasq proxy');
    },
  };
}

function fullParts(model: DnsmasqModel, c: Classification, p: DhcpPacket, context: Context): ReplyParts {
  return fullModeParts({
    model,
    base: c.base,
    context,
    requested: requestedList(p),
    nullTerm: nullTerminates(p),
    vendorClass: p.options.get(60) ?? null,
    pxe: c.pxe !== null && c.pxe.arch !== null ? { arch: c.pxe.arch, uuid: c.pxe.uuid, vendor: c.pxe.vendor } : null,
  });
}

/**
 * dnsmasq's own network options (rfc2131.c do_options), where no dhcp-option line gives them:
 * netmask and broadcast always, the router (this server) when asked for. No DNS server:
 * bootfleet serves no DNS (dnsmasq offers itself only when its DNS port is 53). Hostname and
 * domain only when asked for. Replaces what the native network options wrote.
 */
function fillDefaults(reply: DhcpPacket, model: DnsmasqModel, c: Classification, p: DhcpPacket, context: Context, parts: ReplyParts): void {
  const { eligible } = filterOptions(model, c.base, context.range.setTag);
  const configured = new Set([...eligible].map((o) => o.code));
  const sent = new Set(parts.options.map((o) => o.code));
  const requested = requestedList(p);
  const asked = (code: number): boolean => requested === null || requested.includes(code);
  const defaults: [number, Buffer | null][] = [
    [OPTION_NETMASK, ipBytes(context.netmask)],
    [OPTION_BROADCAST, ipBytes(context.broadcast)],
    // A selector without a relay leaves a remote range without a router (no giaddr to default to).
    [OPTION_ROUTER, asked(OPTION_ROUTER) && context.router !== '0.0.0.0' ? ipBytes(context.router) : null],
    [OPTION_DNS, null],
    [OPTION_DOMAIN, null],
    [OPTION_HOSTNAME, asked(OPTION_HOSTNAME) ? (reply.options.get(OPTION_HOSTNAME) ?? null) : null],
  ];
  for (const [code, value] of defaults) {
    // A configured line wins; an empty one (or one the client did not ask for) means none at all.
    if (configured.has(code)) {
      if (!sent.has(code)) reply.options.delete(code);
    } else if (value === null) reply.options.delete(code);
    else reply.options.set(code, value);
  }
}

/**
 * Which addresses the client may have (dnsmasq `address_allocate`, `address_available`): the
 * dynamic ranges whose tag conditions hold — ones with conditions first, then all that apply —
 * the dhcp-host address that matches the client, never another host's.
 */
function requestedLeaseSeconds(p: DhcpPacket): number | null {
  const opt = p.options.get(51);
  return opt !== undefined && opt.length >= 4 ? opt.readUInt32BE(0) : null;
}

/**
 * dnsmasq rfc2131.c `calc_time`: the host's lease time, else the range's; a client's requested
 * time (option 51, in DISCOVER or REQUEST) is raised to at least 120 s and then wins when it is
 * shorter, or when the configured time is infinite (a request of 0xffffffff never shortens).
 */
export function dnsmasqLeaseSeconds(configured: number, requested: number | null): number {
  if (requested === null) return configured;
  const asked = Math.max(requested, 120);
  return configured === INFINITE_LEASE_SECONDS || (asked !== INFINITE_LEASE_SECONDS && asked < configured) ? asked : configured;
}

function addressRules(model: DnsmasqModel, c: Classification, mac: string, requestedLease: number | null): AddressRules {
  const dynamic = c.contexts.filter((x) => x.range.mode === 'dynamic' && conditionsHold(x.range.filters, c.tags, true));
  const pool = (x: Context): { start: string; end: string } => ({ start: x.range.start, end: x.range.end });
  const tagged = dynamic.filter((x) => x.range.filters.length > 0);
  const poolGroups = tagged.length > 0 && tagged.length < dynamic.length ? [tagged.map(pool), dynamic.map(pool)] : [dynamic.map(pool)];
  const host = c.host;
  const own = host?.address ?? null;
  const reservation = own === null ? null : { mac, address: own, ...(host?.hostname ? { hostname: host.hostname } : {}) };
  // The router of each range (this server, or the relay for a relayed range) is never handed out.
  const routers = c.contexts.map((x) => x.router);
  const reservedForOthers = [...new Set([...model.hostChain.map((h) => h.address), ...routers].filter((a): a is string => a !== null && a !== own))];
  return {
    poolGroups,
    reservation,
    // rfc2131.c DHCPDISCOVER: a dhcp-host address leased to another client is not used ("not
    // using configured address … because it is leased to …"); the client gets its previous
    // lease, the requested address or a dynamic one, and keeps its tags and host lease time.
    // DHCPREQUEST NAKs such an address ("static lease available") only once the host's is free.
    reservationYieldsToLease: true,
    reservedForOthers,
    leaseSeconds(address) {
      const hostTime = seconds(host?.leaseTime ?? null);
      const context = hostTime === null ? narrowContext(c.contexts, address, c.tags) : null;
      return dnsmasqLeaseSeconds(hostTime ?? seconds(context?.range.leaseTime ?? null) ?? DEFAULT_LEASE_SECONDS, requestedLease);
    },
  };
}
