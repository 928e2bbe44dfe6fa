/**
 * Address allocation for full-mode DHCP: which address a client gets in a subnet, and
 * whether an address a client asks for is one it may have. Pure: it works on a view of
 * the lease table (`store/lease-index.ts`: O(1) lookups and an O(log n) lowest-free search,
 * so the cost per DISCOVER does not grow with the table); the store's `claim` is what makes
 * a choice stick atomically.
 *
 * Order of preference (RFC 2131 §4.3.1): a reservation for the client's MAC always wins;
 * then the client's previous address; then the address it asked for (option 50); then
 * the lowest free address of the subnet's pools.
 */
import type { ReservationConfig, SubnetConfig } from '../config/schema.js';
import { LeaseIndex, type LeaseView } from '../store/lease-index.js';
import { isHeld, type Lease } from '../store/lease-store.js';
import { contains, ipToNumber, numberToIp, parseCidr, type Ipv4Network } from './ipv4-math.js';

/** A configured subnet with its network parsed once. */
export interface Subnet {
  config: SubnetConfig;
  net: Ipv4Network;
}

export function subnetsOf(configs: readonly SubnetConfig[]): Subnet[] {
  return configs.map((config) => ({ config, net: parseCidr(config.subnet) }));
}

/** The most specific configured subnet holding `ip`, or null. */
export function subnetContaining(subnets: readonly Subnet[], ip: string): Subnet | null {
  let best: Subnet | null = null;
  for (const s of subnets) if (contains(s.net, ip) && (best === null || s.net.prefix > best.net.prefix)) best = s;
  return best;
}

/** What the pool needs to know about one client and the lease table. */
export interface PoolQuery {
  subnet: Subnet;
  clientId: string;
  mac: string;
  reservations: readonly ReservationConfig[];
  /** The lease table: the store's view (`LeaseStore.view()`), or a snapshot (`list()`, indexed here). */
  leases: LeaseView | readonly Lease[];
  now: number;
  /** Addresses never handed out here: our own interface address, the router. */
  exclude: readonly string[];
  /**
   * Addresses (as numbers) not to be given to this client now, though the table has them
   * free: another client's OFFER of them is waiting for its commit (`in-flight-offers.ts`).
   */
  busy?: (address: number) => boolean;
}

export type AddressReason = 'reservation' | 'previous' | 'requested' | 'lowest-free';

export interface AddressChoice {
  address: string;
  reason: AddressReason;
  reservation: ReservationConfig | null;
}

/** Why an address may not go to this client (or `ok`). */
export type AddressVerdict =
  | 'ok'
  | 'wrong-subnet'
  | 'not-in-pool'
  | 'excluded'
  | 'reserved-for-other'
  | 'client-has-reservation'
  | 'held-by-other'
  | 'declined';

/** The client's reservation inside this subnet, if any. */
export function reservationFor(q: Pick<PoolQuery, 'subnet' | 'mac' | 'reservations'>): ReservationConfig | null {
  // Loops rather than find/some with closures: this runs two or three times per request.
  for (const r of q.reservations) if (r.mac === q.mac && contains(q.subnet.net, r.address)) return r;
  return null;
}

function inPools(subnet: Subnet, n: number): boolean {
  for (const [a, b] of poolRanges(subnet)) if (n >= a && n <= b) return true;
  return false;
}

function reservedAddress(reservations: readonly ReservationConfig[], address: string): boolean {
  for (const r of reservations) if (r.address === address) return true;
  return false;
}

/**
 * May this client have `address` in this subnet right now? A client with a reservation
 * may only have its reserved address (so a REQUEST for another one is NAKed and it comes
 * back for the reservation); nobody else may have a reserved address.
 */
export function judgeAddress(q: PoolQuery, address: string): AddressVerdict {
  // Parsed once (it was four times: subnet, pools, network and broadcast).
  const n = ipToNumber(address);
  const net = q.subnet.net;
  if (n < net.network || n > net.broadcast) return 'wrong-subnet';
  const own = reservationFor(q);
  if (own) {
    if (own.address !== address) return 'client-has-reservation';
  } else {
    if (reservedAddress(q.reservations, address)) return 'reserved-for-other';
    if (!inPools(q.subnet, n)) return 'not-in-pool';
  }
  if (n === net.network || (n === net.broadcast && net.prefix < 31)) return 'excluded';
  if (q.exclude.includes(address) || q.busy?.(n) === true) return 'excluded';
  const row = leaseAt(q, address);
  if (row && row.clientId !== q.clientId && isHeld(row, q.now)) return row.state === 'declined' ? 'declined' : 'held-by-other';
  return 'ok';
}

/**
 * The address to offer, or null when the pools are exhausted (or the client's reserved
 * address is taken by someone else's unexpired lease: it is given back when that client
 * next asks, because its REQUEST is then NAKed).
 */
export function chooseAddress(q: PoolQuery, previous: string | null, requested: string | null): AddressChoice | null {
  const own = reservationFor(q);
  if (own) return judgeAddress(q, own.address) === 'ok' ? { address: own.address, reason: 'reservation', reservation: own } : null;
  if (previous !== null && judgeAddress(q, previous) === 'ok') return { address: previous, reason: 'previous', reservation: null };
  if (requested !== null && judgeAddress(q, requested) === 'ok') return { address: requested, reason: 'requested', reservation: null };
  // Reserved and excluded addresses are few (config); rows other clients hold are the index's job.
  const skipped = new Set<number>();
  for (const r of q.reservations) skipped.add(ipToNumber(r.address));
  for (const x of q.exclude) skipped.add(ipToNumber(x));
  const view = viewOf(q.leases);
  const busy = q.busy;
  const skip = busy === undefined ? (x: number): boolean => skipped.has(x) : (x: number): boolean => skipped.has(x) || busy(x);
  for (const [start, end] of poolRanges(q.subnet)) {
    const n = view.lowestFree(start, end, q.clientId, q.now, skip);
    if (n !== null) return { address: numberToIp(n), reason: 'lowest-free', reservation: null };
  }
  return null;
}

/** The lease row for `address`, held or not. */
export function leaseAt(q: Pick<PoolQuery, 'leases'>, address: string): Lease | null {
  return viewOf(q.leases).get(address);
}

/** Snapshots are indexed once each (a query judges and chooses over the same one). */
const indexed = new WeakMap<readonly Lease[], LeaseView>();

function viewOf(leases: LeaseView | readonly Lease[]): LeaseView {
  if (!isSnapshot(leases)) return leases;
  let view = indexed.get(leases);
  if (!view) {
    view = LeaseIndex.of(leases);
    indexed.set(leases, view);
  }
  return view;
}

function isSnapshot(leases: LeaseView | readonly Lease[]): leases is readonly Lease[] {
  return Array.isArray(leases);
}

/**
 * The subnet's pools as numeric ranges, clipped to its host addresses and sorted. Computed
 * once per subnet object (`subnetsOf` makes them once; a policy's narrowed query makes its
 * own): every DISCOVER and REQUEST asks.
 */
function poolRanges(subnet: Subnet): readonly (readonly [number, number])[] {
  let ranges = rangesOf.get(subnet);
  if (!ranges) {
    ranges = computeRanges(subnet);
    rangesOf.set(subnet, ranges);
  }
  return ranges;
}

const rangesOf = new WeakMap<Subnet, readonly (readonly [number, number])[]>();

function computeRanges(subnet: Subnet): [number, number][] {
  const { network, broadcast, prefix } = subnet.net;
  // /31 and /32 have no network or broadcast address to skip (RFC 3021).
  const lo = prefix < 31 ? network + 1 : network;
  const hi = prefix < 31 ? broadcast - 1 : broadcast;
  return subnet.config.pools
    .map((p): [number, number] => [Math.max(lo, ipToNumber(p.start)), Math.min(hi, ipToNumber(p.end))])
    .filter(([a, b]) => a <= b)
    .sort((a, b) => a[0] - b[0]);
}
