/**
 * Lets a key through at most once per window: a host naming another machine's MAC in a loop gets
 * one `http.mac-mismatch` warning a minute, not one per request (each request's own
 * `http.request` event still carries `macClaimed`). Bounded: at `max` keys the map is emptied,
 * which can only let more warnings through, never fewer.
 */
export class RepeatFilter {
  private readonly last = new Map<string, number>();

  constructor(
    private readonly windowMs = 60_000,
    private readonly max = 4096,
    private readonly now: () => number = Date.now,
  ) {}

  /** True the first time `key` is seen in the window. */
  first(key: string): boolean {
    const t = this.now();
    const prev = this.last.get(key);
    if (prev !== undefined && t - prev < this.windowMs) return false;
    if (prev === undefined && this.last.size >= this.max) this.last.clear();
    this.last.set(key, t);
    return true;
  }
}
