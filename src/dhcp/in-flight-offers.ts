/**
 * Addresses a DISCOVER has chosen whose `claim` has not committed yet. The store commits
 * claims in batches (group commit), so while one batch waits, concurrent DISCOVERs from
 * other clients would see the same lowest free address in the lease table and lose the
 * claim race one by one. Holding the choice here until its claim settles spreads them over
 * different addresses at once. Only a hint: the store's claim stays the arbiter, so a
 * double lease is impossible either way.
 */
export class InFlightOffers {
  private readonly byAddress = new Map<string, string>();

  /** Marks `address` as being offered to `clientId`; the returned function ends the hold. */
  hold(address: string, clientId: string): () => void {
    this.byAddress.set(address, clientId);
    return () => {
      if (this.byAddress.get(address) === clientId) this.byAddress.delete(address);
    };
  }

  /** Addresses being offered to clients other than `clientId`. */
  othersThan(clientId: string): string[] {
    const out: string[] = [];
    for (const [address, holder] of this.byAddress) if (holder !== clientId) out.push(address);
    return out;
  }

  get size(): number {
    return this.byAddress.size;
  }
}
