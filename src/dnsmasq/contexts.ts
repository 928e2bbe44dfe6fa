/**
 * Which dhcp-range lines apply to the interface a request arrived on (dnsmasq "contexts"),
 * and the dnsmasq rules for choosing among them by address (dhcp.c `complete_context`,
 * `address_available`, `narrow_context`).
 */
import type { DhcpRangeDirective } from './directive.js';
import type { DnsmasqModel } from './model.js';
import { conditionsHold } from './tags.js';
import { ipv4ToNumber, numberToIpv4 } from './text.js';

/** The interface a request arrived on, as the server sees it. */
export interface ReceivingInterface {
  name: string;
  /** The interface's IPv4 address: the server's own address in replies. */
  address: string;
  prefixLength: number;
  /**
   * Every IPv4 address of the host (this interface's included or not): dnsmasq's
   * `complete_context` gives a range without a netmask the netmask of any interface whose
   * network holds its start or end, served or not, before the class guess for relayed ranges.
   */
  hostNets?: readonly HostNet[];
}

/** One IPv4 address of the host and its prefix length. */
export interface HostNet {
  address: string;
  prefixLength: number;
}

/** A dhcp-range in use on the receiving interface. */
export interface Context {
  range: DhcpRangeDirective;
  netmask: string;
  /** The server's address on this subnet (dnsmasq `context->local`). */
  local: string;
  broadcast: string;
  /** Never handed out (dnsmasq `context->router`, the server's own address by default). */
  router: string;
}

/** The netmask for a prefix length. */
export function prefixToNetmask(prefix: number): string {
  return numberToIpv4(prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);
}

/** True when a and b are in the same network under `mask`. */
export function sameNet(a: string, b: string, mask: string): boolean {
  const m = ipv4ToNumber(mask);
  return ((ipv4ToNumber(a) & m) >>> 0) === ((ipv4ToNumber(b) & m) >>> 0);
}

/**
 * The ranges whose start and end lie in the interface's network (under the range's own
 * netmask when it gives one), in file order.
 */
export function contextsFor(model: DnsmasqModel, iface: ReceivingInterface): Context[] {
  const ifMask = prefixToNetmask(iface.prefixLength);
  const ifBroadcast = numberToIpv4((ipv4ToNumber(iface.address) | ~ipv4ToNumber(ifMask)) >>> 0);
  const out: Context[] = [];
  for (const range of model.ranges) {
    const netmask = range.netmask ?? ifMask;
    if (!sameNet(iface.address, range.start, netmask) || !sameNet(iface.address, range.end, netmask)) continue;
    const broadcast =
      range.broadcast ??
      (sameNet(ifBroadcast, range.start, netmask) ? ifBroadcast : numberToIpv4((ipv4ToNumber(range.start) | ~ipv4ToNumber(netmask)) >>> 0));
    out.push({ range, netmask, local: iface.address, broadcast, router: iface.address });
  }
  return out;
}

/**
 * dnsmasq's classful guess for a relayed range without a netmask (dnsmasq(8) dhcp-range: "for
 * networks which receive DHCP service via a relay agent, dnsmasq cannot determine the netmask
 * itself, so it should be specified, otherwise dnsmasq will have to guess, based on the class
 * (A, B or C) of the network address"). Null for class D/E, or when start and end differ in class.
 */
export function classfulNetmask(start: string, end: string): string | null {
  const cls = (a: string): number => {
    const top = ipv4ToNumber(a) >>> 24;
    return top < 128 ? 8 : top < 192 ? 16 : top < 224 ? 24 : 0;
  };
  const a = cls(start);
  return a !== 0 && a === cls(end) ? prefixToNetmask(a) : null;
}

/** The first relay (giaddr) heard through for each relayed range: dnsmasq's sticky router. */
export type RelayMemory = Map<DhcpRangeDirective, string>;

/** `start | ~netmask`: dnsmasq's broadcast for a range that names none. */
function rangeBroadcast(range: DhcpRangeDirective, netmask: string): string {
  return range.broadcast ?? numberToIpv4((ipv4ToNumber(range.start) | ~ipv4ToNumber(netmask)) >>> 0);
}

/**
 * The ranges for a request that names its subnet — relayed through `giaddr`, or with a
 * subnet selector (82.5 / 118; see `dhcp/subnet-selection.ts`) — (dnsmasq rfc2131.c
 * `dhcp_reply`, "Determine network for this packet"): every range, local or not, whose start and
 * end lie in `selected`'s network under the range's netmask — its own, else that of a host
 * interface on whose network it lies (`complete_context`), else the class A/B/C guess — in file
 * order. They replace the receiving interface's ranges. A range on the receiving interface keeps
 * this server as router and that interface's broadcast; any other has the receiving interface
 * as server address, the relay (giaddr) as router (none without one) and its network's broadcast
 * unless it names one.
 */
export function relayedContexts(model: DnsmasqModel, selected: string, iface: ReceivingInterface, giaddr: string, relays?: RelayMemory): Context[] {
  const nets = [{ address: iface.address, prefixLength: iface.prefixLength }, ...(iface.hostNets ?? [])];
  const ifMask = prefixToNetmask(iface.prefixLength);
  const ifBroadcast = numberToIpv4((ipv4ToNumber(iface.address) | ~ipv4ToNumber(ifMask)) >>> 0);
  const out: Context[] = [];
  for (const range of model.ranges) {
    const onHost = nets.find((n) => {
      const m = prefixToNetmask(n.prefixLength);
      return sameNet(n.address, range.start, m) || sameNet(n.address, range.end, m);
    });
    const known = range.netmask ?? (onHost !== undefined ? prefixToNetmask(onHost.prefixLength) : null);
    const netmask = known ?? classfulNetmask(range.start, range.end);
    if (netmask === null || !sameNet(selected, range.start, netmask) || !sameNet(selected, range.end, netmask)) continue;
    // On the receiving interface under a netmask dnsmasq knows (never a class guess).
    const local = known !== null && sameNet(iface.address, range.start, known) && sameNet(iface.address, range.end, known);
    if (local) {
      const broadcast = range.broadcast ?? (sameNet(ifBroadcast, range.start, netmask) ? ifBroadcast : rangeBroadcast(range, netmask));
      out.push({ range, netmask, local: iface.address, broadcast, router: iface.address });
    } else {
      // dnsmasq fills a relayed range's router once, from the first relay it hears through, and
      // keeps it (rfc2131.c: only while `context->router` is 0): later requests without a relay
      // (a renewal straight to the server, a selector from the client) get that router too.
      const router = relays?.get(range) ?? giaddr;
      if (router !== '0.0.0.0' && relays !== undefined && !relays.has(range)) relays.set(range, router);
      out.push({ range, netmask, local: iface.address, broadcast: rangeBroadcast(range, netmask), router });
    }
  }
  return out;
}

/** dnsmasq `address_available`: the dynamic range (allowed for these tags) that holds `addr`. */
export function rangeHolding(contexts: readonly Context[], addr: string, tags: ReadonlySet<string>): Context | null {
  if (contexts.some((c) => c.router === addr)) return null;
  const n = ipv4ToNumber(addr);
  for (const c of contexts) {
    if (c.range.mode !== 'dynamic') continue;
    if (n >= ipv4ToNumber(c.range.start) && n <= ipv4ToNumber(c.range.end) && conditionsHold(c.range.filters, tags, true)) return c;
  }
  return null;
}

/**
 * dnsmasq `narrow_context`: the one context an address belongs to — its dynamic range, else a
 * `static` range on its subnet, else any non-proxy range on its subnet.
 */
export function narrowContext(contexts: readonly Context[], addr: string, tags: ReadonlySet<string>): Context | null {
  const holding = rangeHolding(contexts, addr, tags);
  if (holding !== null) return holding;
  const onSubnet = (c: Context): boolean => conditionsHold(c.range.filters, tags, true) && sameNet(addr, c.range.start, c.netmask);
  return contexts.find((c) => onSubnet(c) && c.range.mode === 'static') ?? contexts.find((c) => onSubnet(c) && c.range.mode !== 'proxy') ?? null;
}
