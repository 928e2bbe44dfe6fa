import { RecentMap } from '../collections/recent-map.js';

/**
 * Which MAC holds an IP, learned from our own DHCP replies, so TFTP and HTTP events carry
 * the machine's MAC and a boot reads as one timeline. Bounded: the `keep` addresses heard
 * of or asked for most lately are always kept, older ones go (`RecentMap`; every OFFER and
 * ACK passes here).
 */
export class MacByIp {
  private readonly map: RecentMap<string, string>;

  constructor(keep = 65_536) {
    this.map = new RecentMap(keep);
  }

  remember(ip: string, mac: string): void {
    // touch, not get: a renewal of an unchanged lease keeps the address among the recent ones.
    if (this.map.touch(ip) !== mac) this.map.set(ip, mac);
  }

  lookup(ip: string): string | undefined {
    return this.map.touch(ip);
  }
}
