/**
 * A fixed-size, direct-mapped memo from an integer key (0 ≤ key < 2⁴⁸) to a value: each key has
 * one slot, found by a hash of its bits, and a key set later into an occupied slot replaces what
 * was there. A lookup is two array reads and a compare: no Map hashing, no boxed number per key.
 * For text made per packet from a few bytes (a MAC, a dotted quad), where the same values come
 * back within milliseconds: two values that share a slot only cost a remake when they alternate.
 * Memory is fixed at construction (two arrays of `2^slotsLog2` entries, plus the values held).
 */
export class SlotMemo<V> {
  private readonly keys: Float64Array;
  private readonly values: (V | undefined)[];
  private readonly mask: number;

  constructor(slotsLog2: number) {
    const slots = 2 ** Math.max(1, Math.min(24, Math.floor(slotsLog2)));
    this.mask = slots - 1;
    // -1 is no key's: an empty slot never matches.
    this.keys = new Float64Array(slots).fill(-1);
    this.values = new Array<V | undefined>(slots).fill(undefined);
  }

  /** The value last set for `key`, unless another key has taken its slot since. */
  get(key: number): V | undefined {
    const i = this.slot(key);
    return this.keys[i] === key ? this.values[i] : undefined;
  }

  set(key: number, value: V): void {
    const i = this.slot(key);
    this.keys[i] = key;
    this.values[i] = value;
  }

  private slot(key: number): number {
    // The low bits, folded with the rest (ToUint32 keeps the low 32 bits of the key): keys in
    // sequence (a lab's MACs, a pool's addresses) take distinct slots within each aligned block of
    // 2¹⁶, where a mixing hash would put a third of 60 000 onto slots already taken. A run that
    // crosses a block boundary may share a few slots: a miss, never a wrong value.
    const low = key >>> 0;
    return (low ^ (low >>> 16) ^ Math.floor(key / 4294967296)) & this.mask;
  }
}
