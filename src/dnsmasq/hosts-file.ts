/**
 * dnsmasq's hosts files for the names in `dhcp-boot` (its tftp server name) and `pxe-service`
 * (its server name): rfc2131.c looks those names up only among the addresses read from
 * /etc/hosts and `addn-hosts` files (`a_record_from_hosts`), never through DNS, and only when
 * its DNS side runs (`port` other than 0; with `port=0` the cache, and so every such name, is
 * empty). An unknown name gives 0.0.0.0 ("No IPv4 address found for …" in dnsmasq's log).
 */

/** Names (lower case) to their first IPv4 address, in reading order. */
export type HostAddresses = ReadonlyMap<string, string>;

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

/**
 * Adds the IPv4 lines of a hosts(5) file to `into`: `address name [alias…]`, `#` to the end of
 * a line is a comment, IPv6 lines are skipped. A name keeps the first address it was given.
 */
export function readHostsText(text: string, into: Map<string, string>): void {
  for (const raw of text.split('\n')) {
    const fields = raw.replace(/#.*/, '').trim().split(/\s+/).filter((f) => f !== '');
    const [address, ...names] = fields;
    if (address === undefined || !IPV4.test(address)) continue;
    for (const n of names) {
      const key = n.toLowerCase();
      if (!into.has(key)) into.set(key, address);
    }
  }
}

/** The address dnsmasq gives a server name: its hosts-file address, else 0.0.0.0. */
export function hostAddress(hosts: HostAddresses, name: string): string {
  return hosts.get(name.toLowerCase()) ?? '0.0.0.0';
}
