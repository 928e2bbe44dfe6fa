/**
 * IPv4 arithmetic for config checks. Addresses are unsigned 32-bit numbers so ranges
 * compare with `<` and `>`. Inputs have already passed the schema's regexes.
 */

/** `198.18.0.1` → 3323068417. Returns NaN for text that is not a dotted quad. */
export function ipv4ToNumber(text: string): number {
  const parts = text.split('.');
  if (parts.length !== 4) return NaN;
  let n = 0;
  for (const p of parts) {
    const octet = Number(p);
    if (!/^\d{1,3}$/.test(p) || octet > 255) return NaN;
    n = n * 256 + octet;
  }
  return n;
}

export function numberToIpv4(n: number): string {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** An IPv4 network with its first (network) and last (broadcast) address. */
export interface Ipv4Network {
  /** The network address, host bits cleared. */
  first: number;
  /** The broadcast address (equal to `first` for a /32). */
  last: number;
  prefix: number;
  /** True when the text had host bits set (`198.18.0.5/24`). */
  hostBitsSet: boolean;
}

/** `198.18.0.0/24` → its range; null when the text is not `a.b.c.d/n`. */
export function parseCidr(text: string): Ipv4Network | null {
  const slash = text.indexOf('/');
  if (slash < 0) return null;
  const address = ipv4ToNumber(text.slice(0, slash));
  const prefix = Number(text.slice(slash + 1));
  if (Number.isNaN(address) || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) return null;
  const size = 2 ** (32 - prefix);
  const first = Math.floor(address / size) * size;
  return { first, last: first + size - 1, prefix, hostBitsSet: first !== address };
}

export function formatCidr(network: Ipv4Network): string {
  return `${numberToIpv4(network.first)}/${network.prefix}`;
}

export function networkContains(network: Ipv4Network, address: number): boolean {
  return address >= network.first && address <= network.last;
}

/** Inclusive ranges [a1, a2] and [b1, b2] share at least one address. */
export function rangesOverlap(a1: number, a2: number, b1: number, b2: number): boolean {
  return a1 <= b2 && b1 <= a2;
}
