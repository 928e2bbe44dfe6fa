/**
 * An in-memory index of the lease table that answers the DHCP pool's questions without a
 * scan: the row for an address or a client (O(1)), and the lowest address of a range that
 * no other client holds right now (O(log n) per skipped reservation or exclusion).
 *
 * Why: the pool used to rebuild the set of held addresses from a full snapshot of the table
 * for every DISCOVER, so a server with 50 000 leases spent its time copying and hashing rows
 * (bench/README.md, "A full lease table"). The SQLite store keeps one of these as its mirror
 * of the table, updated on every commit; stores without a mirror (PostgreSQL) build one from
 * `list()` per request.
 *
 * Held (lease-store.ts `isHeld`) depends on the clock: a row stays in a held state until the
 * sweep turns it `expired`, but counts as free once `expiresAt` has passed. The index keeps
 * the rows in a held state in a sorted array of address numbers (for the gap search) and
 * moves those whose time has passed into a small `lapsed` array as queries' clocks pass them
 * (a min-heap by expiry finds them), so both sets stay exact for any `now`.
 */
import { zeroLeaseCounts, type Lease, type LeaseCounts } from './lease-store.js';

/** What the DHCP pool reads: a consistent view of the table at one moment. */
export interface LeaseView {
  get(address: string): Lease | null;
  getByClient(clientId: string): Lease | null;
  /**
   * The lowest address number in `[lo, hi]` that no client other than `clientId` holds at
   * `now` and for which `skip` is false; null if none.
   */
  lowestFree(lo: number, hi: number, clientId: string, now: number, skip: (n: number) => boolean): number | null;
}

interface HeapEntry {
  expiresAt: number;
  row: Lease;
}

/** Rows in one of these states keep their address while `expiresAt` is in the future. */
function heldState(l: Lease): boolean {
  return l.state === 'offered' || l.state === 'bound' || l.state === 'declined';
}

/** The address as an unsigned 32-bit number. */
export function addressNumber(address: string): number {
  let n = 0;
  let part = 0;
  for (let i = 0; i < address.length; i++) {
    const c = address.charCodeAt(i);
    if (c === 46) {
      n = n * 256 + part;
      part = 0;
    } else {
      part = part * 10 + (c - 48);
    }
  }
  return n * 256 + part;
}

/** First index in sorted `a` whose value is ≥ `n`. */
function lowerBound(a: readonly number[], n: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < n) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insertSorted(a: number[], n: number): void {
  const i = lowerBound(a, n);
  if (a[i] !== n) a.splice(i, 0, n);
}

function contains(a: readonly number[], n: number): boolean {
  return a[lowerBound(a, n)] === n;
}

function removeSorted(a: number[], n: number): void {
  const i = lowerBound(a, n);
  if (a[i] === n) a.splice(i, 1);
}

export class LeaseIndex implements LeaseView {
  private readonly byAddress = new Map<string, Lease>();
  private readonly byClient = new Map<string, string>();
  /** Numbers of rows in a held state whose expiry the index has not yet seen pass. */
  private readonly held: number[] = [];
  /** Numbers of rows in a held state whose expiry has passed at {@link clock} (kept to hold again if the clock goes back). */
  private readonly lapsed: number[] = [];
  /** Rows entering {@link held}, by expiry; stale entries (the row changed since) are skipped. */
  private readonly heap: HeapEntry[] = [];
  /** The latest `now` a query moved rows by. */
  private clock = -Infinity;

  /** An index of `rows` (any order). Rows are frozen: a caller cannot change the copy. */
  static of(rows: readonly Lease[]): LeaseIndex {
    const index = new LeaseIndex();
    for (const r of rows) index.put(r);
    return index;
  }

  get(address: string): Lease | null {
    return this.byAddress.get(address) ?? null;
  }

  getByClient(clientId: string): Lease | null {
    const address = this.byClient.get(clientId);
    return address === undefined ? null : this.get(address);
  }

  get size(): number {
    return this.byAddress.size;
  }

  /** Rows by state at `now`, a held row past its time as `expired` (`LeaseStore.countByState`). O(n), no copy. */
  countByState(now: number): LeaseCounts {
    const counts = zeroLeaseCounts();
    for (const row of this.byAddress.values()) counts[heldState(row) && row.expiresAt <= now ? 'expired' : row.state]++;
    return counts;
  }

  /** Every row, ordered by address number (for `LeaseStore.list()`; O(n log n), not on the DHCP path). */
  list(): Lease[] {
    return [...this.byAddress.values()].sort((a, b) => addressNumber(a.address) - addressNumber(b.address));
  }

  /**
   * Inserts or replaces the row for `lease.address`. A frozen row is kept as it is (the
   * SQLite store makes its rows frozen, so a write costs no copy); any other is copied.
   */
  put(lease: Lease): void {
    const row = Object.isFrozen(lease) ? lease : Object.freeze({ ...lease });
    const address = row.address;
    const old = this.byAddress.get(address);
    const oldHeld = old !== undefined && heldState(old);
    const newHeld = heldState(row);
    // One parse of the address for both the old row's and the new row's held entries.
    const n = oldHeld || newHeld ? addressNumber(address) : 0;
    if (old !== undefined && old.clientId !== null && this.byClient.get(old.clientId) === address) this.byClient.delete(old.clientId);
    this.byAddress.set(address, row);
    if (row.clientId !== null) this.byClient.set(row.clientId, address);
    const into = !newHeld ? null : row.expiresAt <= this.clock ? this.lapsed : this.held;
    // Mostly a held row replaced by a held row (an offer by its lease): its number stays
    // where it is, rather than two splices of a large sorted array.
    if (!(oldHeld && into !== null && contains(into, n))) {
      if (oldHeld) {
        removeSorted(this.held, n);
        removeSorted(this.lapsed, n);
      }
      if (into !== null) insertSorted(into, n);
    }
    if (into === this.held) this.push({ expiresAt: row.expiresAt, row });
  }

  /** Deletes the row for `address`, if any. */
  delete(address: string): void {
    this.remove(address);
  }

  /** Drops the client's row unless it is for `keep` (a claim moves a client to one address). */
  dropClient(clientId: string, keep: string): void {
    const address = this.byClient.get(clientId);
    if (address === undefined || address === keep) return;
    this.remove(address);
  }

  lowestFree(lo: number, hi: number, clientId: string, now: number, skip: (n: number) => boolean): number | null {
    this.advance(now);
    const ownAddress = this.byClient.get(clientId);
    const own = ownAddress === undefined ? -1 : addressNumber(ownAddress);
    let n = lo;
    while (n <= hi) {
      // Free: a number no held row has (lapsed rows are out of `held`), or the client's own row's.
      let c = this.firstGap(n);
      if (own >= n && own < c) c = own;
      if (c > hi) return null;
      if (!skip(c)) return c;
      n = c + 1;
    }
    return null;
  }

  /** The smallest number ≥ n not in {@link held}: O(log n) over runs of consecutive numbers. */
  private firstGap(n: number): number {
    const a = this.held;
    const i = lowerBound(a, n);
    if (i >= a.length || a[i] !== n) return n;
    // a is strictly increasing, so a[k] - k never decreases; the run of consecutive numbers
    // starting at i is exactly where a[k] - k equals a[i] - i.
    const base = a[i]! - i;
    let lo = i;
    let hi = a.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (a[mid]! - mid === base) lo = mid;
      else hi = mid - 1;
    }
    return a[lo]! + 1;
  }

  /** Moves rows between {@link held} and {@link lapsed} so they are exact at `now`. */
  private advance(now: number): void {
    if (now < this.clock) {
      // The clock went back (tests inject clocks): lapsed rows still in the future hold again.
      for (const n of this.lapsed.slice()) {
        const row = this.rowAt(n);
        if (row && row.expiresAt > now) {
          removeSorted(this.lapsed, n);
          insertSorted(this.held, n);
          this.push({ expiresAt: row.expiresAt, row });
        }
      }
      this.clock = now;
      return;
    }
    this.clock = now;
    while (this.heap.length > 0 && this.heap[0]!.expiresAt <= now) {
      const { row } = this.pop();
      if (this.byAddress.get(row.address) !== row) continue;
      const n = addressNumber(row.address);
      removeSorted(this.held, n);
      insertSorted(this.lapsed, n);
    }
  }

  private rowAt(n: number): Lease | undefined {
    return this.byAddress.get(`${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`);
  }

  private remove(address: string): void {
    const old = this.byAddress.get(address);
    if (!old) return;
    this.byAddress.delete(address);
    this.unlink(old, heldState(old) ? addressNumber(address) : 0);
  }

  /** Takes `old` (number `n`) out of the client map and the held sets; the caller replaces or deletes its address entry. */
  private unlink(old: Lease, n: number): void {
    if (old.clientId !== null && this.byClient.get(old.clientId) === old.address) this.byClient.delete(old.clientId);
    if (heldState(old)) {
      removeSorted(this.held, n);
      removeSorted(this.lapsed, n);
    }
  }

  private push(e: HeapEntry): void {
    // Every write pushes an entry and replaced rows leave theirs behind until their expiry:
    // rebuild from the live rows before the stale ones outnumber them.
    if (this.heap.length > 4 * this.byAddress.size + 1024) this.rebuildHeap();
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >>> 1;
      if (h[p]!.expiresAt <= e.expiresAt) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = e;
  }

  private rebuildHeap(): void {
    const live = this.heap.filter((e) => this.byAddress.get(e.row.address) === e.row);
    this.heap.length = 0;
    live.sort((a, b) => a.expiresAt - b.expiresAt);
    // A sorted array is a valid min-heap.
    for (const e of live) this.heap.push(e);
  }

  private pop(): HeapEntry {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= h.length) break;
        const r = l + 1;
        const c = r < h.length && h[r]!.expiresAt < h[l]!.expiresAt ? r : l;
        if (h[c]!.expiresAt >= last.expiresAt) break;
        h[i] = h[c]!;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}
