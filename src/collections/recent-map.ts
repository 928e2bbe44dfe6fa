/**
 * A bounded map that forgets what has not been touched lately, at O(1) per call and without
 * a Map delete + re-insert per touch (the per-packet paths use it). Two generations: sets go
 * to the young map; when it holds `keep` keys it becomes the old one, and the previous old
 * one is dropped whole. A key found only in the old generation is moved to the young one
 * when read with {@link touch}. A key set or touched within the last `keep` sets is always
 * kept; at most 2 × `keep` keys are held.
 */
export class RecentMap<K, V> {
  private young = new Map<K, V>();
  private old = new Map<K, V>();
  private readonly keep: number;

  constructor(keep: number) {
    this.keep = Math.max(1, Math.floor(keep));
  }

  /** The value, without counting as a touch. */
  get(key: K): V | undefined {
    const v = this.young.get(key);
    return v !== undefined ? v : this.old.get(key);
  }

  /** The value; one kept only in the old generation is moved to the young one. */
  touch(key: K): V | undefined {
    const v = this.young.get(key);
    if (v !== undefined) return v;
    const old = this.old.get(key);
    if (old !== undefined) this.set(key, old);
    return old;
  }

  set(key: K, value: V): void {
    this.young.set(key, value);
    if (this.young.size >= this.keep) {
      this.old = this.young;
      this.young = new Map();
    }
  }

  delete(key: K): void {
    this.young.delete(key);
    this.old.delete(key);
  }

  clear(): void {
    this.young = new Map();
    this.old = new Map();
  }
}
