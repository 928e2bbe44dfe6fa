/**
 * The seam between the full-mode state machine and address conflict detection
 * (`conflict-detector.ts`): the responder tells the guard what it offered and asks it, for a
 * REQUEST, whether the address turned out to be in use. Neither call waits: an OFFER never
 * waits for a probe (dnsmasq's ping delays each first offer by ≈ 3 s).
 */
import type { AddressReason } from './pool.js';

/** An address the responder just offered (its hold is already in the store). */
export interface OfferedAddress {
  address: string;
  /** The client's MAC (chaddr): its own answer to a probe is no conflict. */
  mac: string;
  /** The interface the DISCOVER arrived on. */
  iface: string;
  /** The DISCOVER came through a relay (giaddr set): the address is on a segment we cannot ARP. */
  relayed: boolean;
  reason: AddressReason;
}

export interface ConflictGuard {
  /** Starts a recheck of the address in the background; returns at once. */
  onOffer(offer: OfferedAddress): void;
  /**
   * True when a host other than `mac` answered a probe for `address` lately: a SELECTING
   * REQUEST for it is NAKed, so the client DISCOVERs again and is offered another address.
   * Synchronous; it may read the probe socket once (non-blocking) if a probe is in flight.
   */
  isConflicted(address: string, mac: string): boolean;
}
