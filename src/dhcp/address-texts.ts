/**
 * Event messages that name an address ("OFFER 198.18.0.10"), made once per address and shared.
 * Every DHCP exchange emits a few, and the machine timelines keep them: made afresh, each was a
 * chain of string pieces to build and to keep (with timelines on, message text was the largest
 * part of the event path in an in-process measurement: ≈ 1.2 of ≈ 2.2 µs per DORA). The text is
 * the same either way.
 */
import { SlotMemo } from '../collections/slot-memo.js';
import { parseIpv4 } from '../wire/ipv4-text.js';

/** Texts for up to 2¹⁶ addresses at once (≈ 1 MiB of slots, plus the texts held). */
const SLOTS_LOG2 = 16;

export class AddressTexts {
  /** The text with the address spelling it was made for: "198.18.0.010" parses as "198.18.0.10" does. */
  private readonly memo = new SlotMemo<{ address: string; text: string }>(SLOTS_LOG2);

  /** `variants`: how many texts one address can have (`text`'s `variant` is below it). */
  constructor(
    private readonly make: (address: string, variant: number) => string,
    private readonly variants = 1,
  ) {}

  /** The text for `address` (and `variant`, 0 ≤ variant < variants): made at the first ask, then shared. */
  text(address: string, variant = 0): string {
    const n = parseIpv4(address);
    if (n < 0 || !(variant >= 0 && variant < this.variants && Number.isInteger(variant))) return this.make(address, variant);
    const key = n * this.variants + variant;
    const hit = this.memo.get(key);
    if (hit !== undefined && hit.address === address) return hit.text;
    const text = this.make(address, variant);
    this.memo.set(key, { address, text });
    return text;
  }
}
