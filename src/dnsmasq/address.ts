/**
 * Which address dnsmasq offers a new client (dhcp.c `address_allocate`): a start point
 * derived from a hash of the MAC address, then the first free address from there, wrapping
 * round the range. So a given MAC lands on the same address every time on a fresh server,
 * which is what lets a test predict dnsmasq's yiaddr.
 */
import type { Context } from './contexts.js';
import { conditionsHold } from './tags.js';
import { ipv4ToNumber, numberToIpv4 } from './text.js';

/** Addresses handed out so far (dnsmasq's leases, temporary ones from OFFERs included). */
export class LeaseBook {
  private readonly byClient = new Map<string, string>();
  private readonly byAddress = new Map<string, string>();

  /** The address held by client `key` (MAC as hex), or null. */
  addressOf(key: string): string | null {
    return this.byClient.get(key) ?? null;
  }

  /** The client holding `addr`, or null. */
  holderOf(addr: string): string | null {
    return this.byAddress.get(addr) ?? null;
  }

  set(key: string, addr: string): void {
    this.drop(key);
    this.byClient.set(key, addr);
    this.byAddress.set(addr, key);
  }

  drop(key: string): void {
    const old = this.byClient.get(key);
    if (old !== undefined) this.byAddress.delete(old);
    this.byClient.delete(key);
  }
}

/** The SDBM string hash over the hardware address, in 32-bit unsigned arithmetic (dnsmasq's seed). */
export function hwaddrHash(hwaddr: Uint8Array): number {
  let j = 0;
  for (const b of hwaddr) j = (b + ((j << 6) >>> 0) + ((j << 16) >>> 0) - j) >>> 0;
  return j;
}

/**
 * The address dnsmasq picks for a new client, or null when every address is taken. Ranges
 * whose `tag:` conditions hold are tried before untagged ones; `reserved` are dhcp-host
 * addresses (never given to others). Addresses ending in .0 or .255 are skipped in class C
 * space (dnsmasq: "broken in Windows").
 */
export function allocateAddress(
  contexts: readonly Context[], hwaddr: Uint8Array, tags: ReadonlySet<string>, leases: LeaseBook, reserved: ReadonlySet<string>,
): { address: string; context: Context } | null {
  const j = hwaddrHash(hwaddr);
  for (const untaggedOk of [false, true]) {
    for (const c of contexts) {
      if (c.range.mode !== 'dynamic' || !conditionsHold(c.range.filters, tags, untaggedOk)) continue;
      const lo = ipv4ToNumber(c.range.start);
      const hi = ipv4ToNumber(c.range.end);
      const start = lo + (j % (1 + hi - lo));
      let n = start;
      do {
        const addr = numberToIpv4(n);
        const classC = n >>> 29 === 0b110;
        const low = n & 0xff;
        if (!contexts.some((d) => d.router === addr) && leases.holderOf(addr) === null && !reserved.has(addr) && (!classC || (low !== 0 && low !== 255))) {
          return { address: addr, context: c };
        }
        n = n + 1 > hi ? lo : n + 1;
      } while (n !== start);
    }
  }
  return null;
}
