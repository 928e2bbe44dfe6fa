/**
 * Where DHCP leases live. One interface, two implementations: SQLite (embedded default,
 * `sqlite-lease-store.ts`) and PostgreSQL (later, for servers sharing one fleet). Every
 * method returns a Promise so a networked database fits behind it.
 *
 * One row per address. An address is *held* while its state is `offered`, `bound` or
 * `declined` and `expiresAt` is in the future; `released` and `expired` rows are free
 * for anyone but remember their last client, so that client can be given the same
 * address again (RFC 2131 §4.3.1: prefer the client's previous address).
 *
 * Every write is durable when its Promise resolves (the server sends a DHCPACK only
 * after `claim(... state: 'bound')` resolved), except an `offered` hold, which a store may
 * resolve before it reaches disk: an OFFER promises nothing (RFC 2131 §4.3.1), and a hold
 * lost in a crash ends in a NAK or another offer, never in one address ACKed twice.
 */

import type { LeaseView } from './lease-index.js';

export type LeaseState = 'offered' | 'bound' | 'released' | 'expired' | 'declined';

/** Every state, in a fixed order (metric labels, counts). */
export const LEASE_STATES: readonly LeaseState[] = ['offered', 'bound', 'released', 'expired', 'declined'];

/** Rows per state as `countByState` reads them; every state is present (0 when none). */
export type LeaseCounts = Record<LeaseState, number>;

/** All states at 0, to count into. */
export function zeroLeaseCounts(): LeaseCounts {
  return { offered: 0, bound: 0, released: 0, expired: 0, declined: 0 };
}

export interface Lease {
  /** Dotted-quad IPv4 address; the key. */
  address: string;
  /**
   * The client this address belongs to (see `dhcp/client-key.ts`: option 61 when sent,
   * else hardware type + MAC, as lower-case hex); null for a declined address.
   */
  clientId: string | null;
  /** Lower-case colon MAC of the client, for people and for lookups by MAC. */
  mac: string | null;
  state: LeaseState;
  /** Milliseconds since the epoch: end of the offer hold, the lease, or the decline backoff. */
  expiresAt: number;
  hostname: string | null;
  /** Milliseconds since the epoch of the last write to this row. */
  updatedAt: number;
}

export interface ClaimRequest {
  clientId: string;
  mac: string;
  address: string;
  /** `offered`: a short hold while the client decides (DHCPOFFER); `bound`: the lease (DHCPACK). */
  state: 'offered' | 'bound';
  expiresAt: number;
  hostname: string | null;
  /** The caller's clock, in milliseconds since the epoch. */
  now: number;
}

export type ClaimResult =
  | { ok: true; lease: Lease }
  | {
      ok: false;
      /** `held`: another client holds the address; `declined`: it is in its decline backoff. */
      reason: 'held' | 'declined';
      holder: Lease;
    };

export interface LeaseStore {
  /**
   * True when requests from different clients may be handled at once: the store keeps an
   * in-process copy and batches their claims into one commit (SQLite). Unset: the DHCP
   * server handles one request at a time (PostgreSQL, whose view is a full read per request;
   * handled concurrently, the two-server storm test slowed down, NAKed and restarted clients).
   */
  readonly parallelRequests?: boolean;
  /** The client's lease row (held or not), or null when the store never saw the client. */
  getByClient(clientId: string): Promise<Lease | null>;
  getByAddress(address: string): Promise<Lease | null>;
  /** Every row, ordered by address. */
  list(): Promise<Lease[]>;
  /**
   * Rows by state at `now`, for `/metrics`: an `offered`, `bound` or `declined` row whose
   * `expiresAt` is not after `now` counts as `expired` (it is free again; the sweep that
   * rewrites it has not run yet), so the counts do not jump when it does.
   * Without copying the table: SQLite counts its in-process copy, PostgreSQL runs one GROUP BY.
   */
  countByState(now: number): Promise<LeaseCounts>;
  /**
   * The table as the DHCP pool reads it (`lease-index.ts`): lookups and the lowest free
   * address without a scan. Valid until the caller next awaits; a store with an in-process
   * copy returns the copy, one without builds it from `list()`.
   */
  view(): Promise<LeaseView>;
  /**
   * {@link view} without the wait, for a store whose copy is in process (SQLite); absent
   * otherwise. The DHCP path reads it two or three times per request, and an await of an
   * already-known value still costs a Promise and a microtask turn each.
   */
  viewNow?(): LeaseView;
  /**
   * Atomically gives `address` to the client, unless another client holds it or it is
   * declined. The client's rows for other addresses are dropped (one lease per client).
   * Offering an address the client already has bound keeps it bound with its expiry
   * (a DISCOVER never shortens a lease). A `bound` claim resolves once durable; an
   * `offered` one may resolve as soon as it is decided (see above), but every read and
   * claim after it sees it.
   */
  claim(req: ClaimRequest): Promise<ClaimResult>;
  /**
   * {@link claim} of an `offered` hold, decided and returned at once, for a store that decides
   * in process (SQLite); absent otherwise. A DISCOVER then runs from view to OFFER with no
   * await: no Promise, no microtask turn, and no other request in between.
   */
  holdNow?(req: ClaimRequest & { state: 'offered' }): ClaimResult;
  /** DHCPRELEASE: frees the address if this client holds it. True when something changed. */
  release(clientId: string, address: string, now: number): Promise<boolean>;
  /**
   * Drops the client's `offered` hold on an address (it chose another server). A bound
   * lease is left alone. True when something changed.
   */
  cancelOffer(clientId: string, address: string, now: number): Promise<boolean>;
  /**
   * DHCPDECLINE: the client found the address in use by someone else. If this client
   * holds it, the address is kept from everyone until `until`. True when marked.
   */
  decline(clientId: string, address: string, until: number, now: number): Promise<boolean>;
  /**
   * Address conflict detection (`dhcp/conflict-detector.ts`): the host `mac` answered ARP
   * for `address`. Keeps the address from every client until `until`, as a DHCPDECLINE does
   * (state `declined`, no client), with `mac` naming the host that uses it; an offer of it
   * is withdrawn (the client's REQUEST is then NAKed). A lease a client holds `bound` is
   * left alone: its ACK cannot be taken back. True when marked.
   */
  markConflict(address: string, mac: string, until: number, now: number): Promise<boolean>;
  /**
   * Turns held rows whose time is past into `expired` (offers and leases) or deletes
   * them (declines); returns the rows that changed, as they were before.
   */
  expire(now: number): Promise<Lease[]>;
  close(): Promise<void>;
}

/** True while the row keeps the address from clients other than `lease.clientId`. */
export function isHeld(lease: Lease, now: number): boolean {
  return (lease.state === 'offered' || lease.state === 'bound' || lease.state === 'declined') && lease.expiresAt > now;
}
