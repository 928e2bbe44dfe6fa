/**
 * Text made once per value and then shared, for values that recur (the addresses in DHCP
 * requests): a built string is several allocations, its hash is computed again, and every
 * Map lookup compares it byte by byte; a shared one is found by identity. Bounded like
 * `store/recent-map.ts`: two generations of `keep` entries, so a flood of distinct values
 * costs at most 2 × `keep` strings. Pure memoisation: the text depends only on the key.
 */
export class BoundedMemo {
  private young = new Map<number, string>();
  private old = new Map<number, string>();

  constructor(private readonly keep: number) {}

  /** The remembered text for `key` (a hit in the older generation is kept a while longer). */
  find(key: number): string | undefined {
    const text = this.young.get(key);
    if (text !== undefined) return text;
    const older = this.old.get(key);
    if (older !== undefined) this.remember(key, older);
    return older;
  }

  remember(key: number, text: string): void {
    this.young.set(key, text);
    if (this.young.size >= this.keep) {
      this.old = this.young;
      this.young = new Map();
    }
  }
}
