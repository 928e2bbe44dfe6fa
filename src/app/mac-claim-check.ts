/**
 * Whether a MAC a request names (`/boot.ipxe?mac=…`, iPXE's `${net0/mac}` in a file URL) is
 * the MAC of the host that sent it, judged by what bootfleet knows of the sender's address.
 *
 * Why: any host on the boot network can put `?mac=<someone else's>` in a URL. Serving it the
 * other machine's script is harmless (the script is no secret: matchbox and pixiecore serve it
 * the same way), but recording the request in that machine's timeline lets one host write
 * into another's history and mislead its doctor. So the HTTP server attributes a request to
 * the named MAC only when this check agrees.
 *
 * What is known of an address, cheapest first:
 * 1. `MacByIp`: the MAC our own DHCP replies gave the address to (full mode; proxy mode when
 *    an EDK2 client sent its address to port 4011), warmed at start from the lease store's
 *    bound leases. A map lookup: an honest client in full mode costs nothing more.
 * 2. The kernel's IPv4 neighbour table (`/proc/net/arp`, a copy at most a second old; read
 *    again when the copy does not have the address). A client on a directly attached
 *    segment is always in it by the time its request arrives: the kernel needed its MAC to
 *    answer the TCP handshake. This covers proxy mode, where the LAN's DHCP server gave the
 *    address. Reading the file costs ~15 µs with a few entries and ~660 µs with 1 000 (the
 *    kernel formats it; measured in a namespace), where a spawn of `ip neigh` would cost
 *    milliseconds. So it is read as rarely as will do: a copy that names another MAC is
 *    believed, so a host naming others' MACs in a loop costs no reads (the price: an address
 *    that changed hands less than a second ago, not through our DHCP, which updates `MacByIp`
 *    at once, is judged by its previous owner for that second); and an address a fresh read
 *    did not have is not looked for again for a second, so a routed host's request flood
 *    costs a read a second, not one per request. That is safe because a directly attached
 *    client is in the table before its first request arrives (the kernel learns it from the
 *    client's ARP request for us, or resolves it to answer), so an address missing at its own
 *    request's time is a routed one, and stays missing.
 *
 * A claim agrees when any source names the claimed MAC for the address (a stale entry in one
 * source must not turn an honest client into a spoofer). It disagrees when a source knows the
 * address and none names the claimed MAC: the request is recorded under the MAC the sources
 * know (the neighbour table's first: it is the freshest), with a warning.
 *
 * Unknown (no source knows the address): the sender is not on a segment this host is attached
 * to (a routed client; its router's MAC is what the neighbour table holds) and never got an
 * address from us. Nothing ties it to the claimed MAC, and believing it would let any routed
 * host write into any machine's timeline, so the request is NOT attributed: its event carries
 * no MAC (it is in the log, with the claimed MAC as `macClaimed`). Such a client's TFTP
 * requests could not be attributed either (TFTP has no claim at all), so its timeline loses
 * nothing it could have had complete.
 */
import { readFileSync } from 'node:fs';
import type { Lease } from '../store/lease-store.js';
import type { MacClaimVerdict } from '../http/server.js';
import type { MacByIp } from './mac-by-ip.js';
import { parseProcNetArp } from './neighbour-table.js';

export interface MacClaimCheckOptions {
  macs: MacByIp;
  /** The neighbour table's text; default `/proc/net/arp` of this network namespace. */
  readNeighbours?: () => string;
  /** How long a read of the table may answer agreeing claims. Default 1000 ms. */
  neighbourMaxAgeMs?: number;
  now?: () => number;
}

const AGREES: MacClaimVerdict = { verdict: 'agrees' };
const UNKNOWN: MacClaimVerdict = { verdict: 'unknown' };
/**
 * Fresh reads of /proc/net/arp at most this often (≈ 660 µs each with 1 000 entries): 50 a
 * second at worst, whatever the source addresses of a flood.
 */
const MIN_READ_GAP_MS = 20;

export class MacClaimCheck {
  private readonly macs: MacByIp;
  private readonly read: () => string;
  private readonly maxAgeMs: number;
  private readonly now: () => number;
  private table: ReadonlyMap<string, string> = new Map();
  private readAt = -Infinity;
  /** Addresses a fresh read did not have, and when: not looked for again for `maxAgeMs`. Bounded. */
  private readonly missing = new Map<string, number>();
  /** Addresses whose cached entry named another MAC and were read again for it, and when. Bounded. */
  private readonly rechecked = new Map<string, number>();

  constructor(opts: MacClaimCheckOptions) {
    this.macs = opts.macs;
    this.read = opts.readNeighbours ?? (() => readFileSync('/proc/net/arp', 'latin1'));
    this.maxAgeMs = opts.neighbourMaxAgeMs ?? 1000;
    this.now = opts.now ?? Date.now;
  }

  /** `claimed` is a normalized MAC (lower-case, colons); `clientIp` the request's IPv4 source. */
  check(claimed: string, clientIp: string): MacClaimVerdict {
    const ours = this.macs.lookup(clientIp);
    if (ours === claimed) return AGREES;
    let neighbour = this.neighbour(clientIp);
    if (neighbour === claimed) return AGREES;
    if (neighbour !== undefined && this.readAt < this.now() && this.mayRecheck(clientIp)) {
      // The copy may predate the address changing hands (proxy mode: not through our DHCP); a
      // machine's own first requests come milliseconds after its ARP. Judge it a spoofer only
      // on a fresh read — at most once a `maxAgeMs` per address, so a spoofing loop stays cheap.
      const fresh = this.read1();
      if (fresh !== null) neighbour = fresh.get(clientIp);
      if (neighbour === claimed) return AGREES;
    }
    const known = neighbour ?? ours;
    return known === undefined ? UNKNOWN : { verdict: 'mismatch', known };
  }

  /** The MAC known for `clientIp` when a request names none: our replies, then the neighbour table. */
  macFor(clientIp: string): string | undefined {
    return this.macs.lookup(clientIp) ?? this.neighbour(clientIp);
  }

  /** The table's MAC for `ip`; a miss in the copy may be its age (a client that arrived since it was read): read again, once. */
  private neighbour(ip: string): string | undefined {
    const readBefore = this.readAt;
    const copy = this.neighbours();
    const cached = copy.get(ip);
    if (cached !== undefined) return cached;
    const now = this.now();
    const missedAt = this.missing.get(ip);
    if (missedAt !== undefined && now - missedAt < this.maxAgeMs) return undefined;
    // A copy read this millisecond is as fresh as a read can be.
    const fresh = this.readAt === now ? copy : this.read1();
    // No read allowed right now (see MIN_READ_GAP_MS): not known yet, but not known missing either.
    if (fresh === null) return undefined;
    const mac = fresh.get(ip);
    // Only a read made for this request proves the address missing: the entry may have appeared
    // since another request's read in the same millisecond (a LAN handshake takes less than that).
    if (mac === undefined && this.readAt !== readBefore) {
      if (this.missing.size >= 4096) this.missing.clear();
      this.missing.set(ip, now);
    } else {
      this.missing.delete(ip);
    }
    return mac;
  }

  /** True at most once a `maxAgeMs` per address. Bounded. */
  private mayRecheck(ip: string): boolean {
    const now = this.now();
    const at = this.rechecked.get(ip);
    if (at !== undefined && now - at < this.maxAgeMs) return false;
    if (this.rechecked.size >= 4096) this.rechecked.clear();
    this.rechecked.set(ip, now);
    return true;
  }

  /** The copy, read again when older than `maxAgeMs`. */
  private neighbours(): ReadonlyMap<string, string> {
    if (this.now() - this.readAt > this.maxAgeMs) this.read1();
    return this.table;
  }

  /**
   * Reads the table now, unless one was read less than MIN_READ_GAP_MS ago (then null): a flood
   * from spoofed source addresses, each new, must not turn into a read per datagram.
   */
  private read1(): ReadonlyMap<string, string> | null {
    const now = this.now();
    if (now - this.readAt < MIN_READ_GAP_MS) return null;
    try {
      this.table = parseProcNetArp(this.read());
    } catch {
      this.table = new Map();
    }
    this.readAt = now;
    return this.table;
  }
}

/**
 * Puts the store's bound, unexpired leases into `macs` (at start: `MacByIp` is in memory, and
 * a machine that booted before a restart still fetches files with its lease).
 */
export function rememberBoundLeases(macs: MacByIp, leases: readonly Lease[], now: number): void {
  for (const l of leases) if (l.state === 'bound' && l.expiresAt > now && l.mac !== null) macs.remember(l.address, l.mac);
}
