import { RecentMap } from '../store/recent-map.js';

/**
 * Which MAC holds an IP, learned from our own DHCP replies, so TFTP and HTTP events carry
 * the machine's MAC and a boot reads as one timeline. Bounded: addresses not heard of or
 * asked for lately go first (`RecentMap`; every OFFER and ACK passes here).
 */
export class MacByIp {
  private readonly map: RecentMap<string, string>;

  constructor(max = 65_536) {
    this.map = new RecentMap(max);
  }

  remember(ip: string, mac: string): void {
    if (this.map.get(ip) !== mac) this.map.set(ip, mac);
  }

  lookup(ip: string): string | undefined {
    return this.map.touch(ip);
  }
}
