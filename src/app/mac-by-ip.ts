/**
 * Which MAC holds an IP, learned from our own DHCP replies, so TFTP and HTTP events carry
 * the machine's MAC and a boot reads as one timeline. Bounded: the oldest entries go first.
 */
export class MacByIp {
  private readonly map = new Map<string, string>();

  constructor(private readonly max = 65_536) {}

  remember(ip: string, mac: string): void {
    this.map.delete(ip);
    this.map.set(ip, mac);
    if (this.map.size > this.max) {
      const oldest = this.map.keys().next().value;
      if (oldest !== undefined) this.map.delete(oldest);
    }
  }

  lookup(ip: string): string | undefined {
    return this.map.get(ip);
  }
}
