/**
 * Addresses a DISCOVER has chosen whose `claim` has not committed yet. The store commits
 * claims in batches (group commit), so while one batch waits, concurrent DISCOVERs from
 * other clients would see the same lowest free address in the lease table and lose the
 * claim race one by one. Holding the choice here until its claim settles spreads them over
 * different addresses at once. Only a hint: the store's claim stays the arbiter, so a
 * double lease is impossible either way.
 */
import { ipToNumber } from './ipv4-math.js';

export class InFlightOffers {
  /** Holder's client key by address (as a number: the pool's search asks in numbers). */
  private readonly byAddress = new Map<number, string>();

  /** Marks `address` as being offered to `clientId`; the returned function ends the hold. */
  hold(address: string, clientId: string): () => void {
    const n = ipToNumber(address);
    this.byAddress.set(n, clientId);
    return () => {
      if (this.byAddress.get(n) === clientId) this.byAddress.delete(n);
    };
  }

  /**
   * Whether address `n` is being offered to a client other than `clientId`: the pool's
   * `PoolQuery.busy`. Asked per candidate address, not listed per DISCOVER: under load a
   * hundred offers wait for one commit, and a list of them built, parsed and put in a set
   * for every DISCOVER cost more than the rest of the choice.
   */
  offeredToOther(n: number, clientId: string): boolean {
    const holder = this.byAddress.get(n);
    return holder !== undefined && holder !== clientId;
  }

  get size(): number {
    return this.byAddress.size;
  }
}
