/**
 * Every directive dnsmasq 2.90 knows (its long option names, `dnsmasq --help`), with its
 * short flag, whether it takes a value, and what bootfleet does with it.
 *
 * - `supported`: parsed into a typed directive and honoured (the network-boot subset).
 * - `process`: about how dnsmasq runs (foreground, logging, pid file): accepted, no effect,
 *   reported as a note.
 * - `dns`: DNS is out of scope; accepted and reported as ignored, never silently dropped.
 * - `unsupported`: a real dnsmasq directive bootfleet does not implement: an error unless
 *   the caller asks to skip unknown directives.
 */

/** 0: a flag; 1: a value is required; 2: a value is optional (`--name[=value]`). */
export type ArgMode = 0 | 1 | 2;

export type DirectiveCategory = 'supported' | 'process' | 'dns' | 'unsupported';

export interface CatalogueEntry {
  name: string;
  /** The one-character command-line form, e.g. `F` for `-F` (dhcp-range). */
  short: string | null;
  arg: ArgMode;
  category: DirectiveCategory;
}

type Row = readonly [name: string, short: string | null, arg: ArgMode];

const SUPPORTED: readonly Row[] = [
  ['dhcp-range', 'F', 1],
  ['dhcp-host', 'G', 1],
  ['dhcp-boot', 'M', 1],
  ['dhcp-match', null, 1],
  ['dhcp-vendorclass', 'U', 1],
  ['dhcp-userclass', 'j', 1],
  ['dhcp-mac', '4', 1],
  ['tag-if', null, 1],
  ['dhcp-option', 'O', 1],
  ['dhcp-option-force', null, 1],
  ['dhcp-no-override', null, 0],
  ['dhcp-authoritative', 'K', 0],
  ['no-ping', '5', 0],
  ['dhcp-ignore', 'J', 1],
  ['dhcp-leasefile', 'l', 2],
  ['dhcp-lease', null, 1],
  ['enable-tftp', null, 2],
  ['tftp-root', null, 1],
  ['tftp-secure', null, 0],
  ['tftp-no-blocksize', null, 0],
  ['tftp-max', null, 1],
  ['tftp-lowercase', null, 0],
  ['tftp-port-range', null, 1],
  ['pxe-service', null, 1],
  ['pxe-prompt', null, 1],
  ['log-dhcp', null, 0],
  ['interface', 'i', 1],
  ['except-interface', 'I', 1],
  ['bind-interfaces', 'z', 0],
  ['listen-address', 'a', 1],
  ['port', 'p', 1],
  ['conf-file', 'C', 2],
  ['conf-dir', '7', 1],
];

const PROCESS: readonly Row[] = [
  ['no-daemon', 'd', 0],
  ['keep-in-foreground', 'k', 0],
  ['log-facility', '8', 1],
  ['log-async', null, 2],
  ['log-debug', null, 0],
  ['pid-file', 'x', 2],
  ['user', 'u', 2],
  ['group', 'g', 2],
  ['quiet-dhcp', null, 0],
  ['quiet-dhcp6', null, 0],
  ['quiet-ra', null, 0],
  ['quiet-tftp', null, 0],
  ['tftp-no-fail', null, 0],
  ['bind-dynamic', null, 0],
  ['test', null, 0],
];

const DNS: readonly Row[] = [
  ['no-hosts', 'h', 0], ['no-poll', 'n', 0], ['log-queries', 'q', 2], ['resolv-file', 'r', 2],
  ['servers-file', null, 1], ['mx-host', 'm', 1], ['mx-target', 't', 1], ['cache-size', 'c', 2],
  ['domain', 's', 1], ['domain-suffix', null, 1], ['local-service', null, 2], ['bogus-priv', 'b', 0],
  ['bogus-nxdomain', 'B', 1], ['ignore-address', null, 1], ['selfmx', 'e', 0], ['filterwin2k', 'f', 0],
  ['filter-A', null, 0], ['filter-AAAA', null, 0], ['filter-rr', null, 1],
  ['strict-order', 'o', 0], ['server', 'S', 1], ['rev-server', null, 1], ['local', null, 1], ['address', 'A', 1],
  ['no-resolv', 'R', 0], ['expand-hosts', 'E', 0], ['localmx', 'L', 0], ['local-ttl', 'T', 1],
  ['no-negcache', 'N', 0], ['use-stale-cache', null, 2], ['addn-hosts', 'H', 1], ['hostsdir', null, 1],
  ['query-port', 'Q', 1], ['port-limit', null, 1], ['domain-needed', 'D', 0], ['alias', 'V', 1],
  ['edns-packet-max', 'P', 1], ['srv-host', 'W', 1], ['localise-queries', 'y', 0], ['txt-record', 'Y', 1],
  ['caa-record', null, 1], ['dns-rr', null, 1], ['ptr-record', null, 1], ['naptr-record', null, 1],
  ['interface-name', null, 1], ['dns-forward-max', '0', 1], ['clear-on-reload', null, 0],
  ['stop-dns-rebind', null, 0], ['rebind-localhost-ok', null, 0], ['rebind-domain-ok', null, 1],
  ['all-servers', null, 0], ['neg-ttl', null, 1], ['max-ttl', null, 1], ['min-cache-ttl', null, 1],
  ['max-cache-ttl', null, 1], ['fast-dns-retry', null, 2], ['min-port', null, 1], ['max-port', null, 1],
  ['cname', null, 1], ['add-mac', null, 2], ['strip-mac', null, 0], ['add-subnet', null, 2],
  ['strip-subnet', null, 0], ['add-cpe-id', null, 1], ['umbrella', null, 2], ['proxy-dnssec', null, 0],
  ['conntrack', null, 0], ['host-record', null, 1], ['dynamic-host', null, 1], ['auth-zone', null, 1],
  ['auth-server', null, 1], ['auth-ttl', null, 1], ['auth-soa', null, 1], ['auth-sec-servers', null, 1],
  ['auth-peer', null, 1], ['ipset', null, 1], ['nftset', null, 1], ['connmark-allowlist-enable', null, 2],
  ['connmark-allowlist', null, 1], ['synth-domain', null, 1], ['dnssec', null, 0], ['trust-anchor', null, 1],
  ['dnssec-debug', null, 0], ['dnssec-check-unsigned', null, 2], ['dnssec-no-timecheck', null, 0],
  ['dnssec-timestamp', null, 1], ['dnssec-limits', null, 1], ['dns-loop-detect', null, 0],
  ['no-round-robin', null, 0], ['no-ident', null, 0], ['cache-rr', null, 1], ['max-tcp-connections', null, 1],
  ['enable-dbus', '1', 2], ['enable-ubus', null, 2],
];

const UNSUPPORTED: readonly Row[] = [
  ['version', 'v', 0], ['help', 'w', 0], ['dhcp-hostsfile', null, 1], ['dhcp-optsfile', null, 1],
  ['dhcp-hostsdir', null, 1], ['dhcp-optsdir', null, 1], ['no-dhcp-interface', '2', 1],
  ['no-dhcpv6-interface', null, 1], ['no-dhcpv4-interface', null, 1], ['dhcp-lease-max', 'X', 1],
  ['read-ethers', 'Z', 0], ['dhcp-circuitid', null, 1], ['dhcp-remoteid', null, 1], ['dhcp-subscrid', null, 1],
  ['dhcp-pxe-vendor', null, 1], ['dhcp-broadcast', null, 2], ['bootp-dynamic', '3', 2],
  ['bridge-interface', null, 1], ['shared-network', null, 1], ['dhcp-script', '6', 1],
  ['dhcp-luascript', null, 1], ['dhcp-scriptuser', null, 1], ['script-arp', null, 0],
  ['script-on-renewal', null, 0], ['conf-script', null, 1], ['leasefile-ro', '9', 0],
  ['dhcp-ignore-names', null, 2], ['tftp-unique-root', null, 2], ['tftp-mtu', null, 1],
  ['tftp-single-port', null, 0], ['dhcp-name-match', null, 1], ['dhcp-alternate-port', null, 2],
  ['dhcp-fqdn', null, 0], ['dhcp-generate-names', null, 2], ['dhcp-proxy', null, 2],
  ['dhcp-relay', null, 1], ['dhcp-sequential-ip', null, 0], ['dhcp-ignore-clid', null, 0],
  ['dhcp-client-update', null, 0], ['enable-ra', null, 0], ['ra-param', null, 1], ['dhcp-duid', null, 1],
  ['dhcp-ttl', null, 1], ['dhcp-reply-delay', null, 1], ['dhcp-rapid-commit', null, 0],
  ['dumpfile', null, 1], ['dumpmask', null, 1],
];

function rows(list: readonly Row[], category: DirectiveCategory): CatalogueEntry[] {
  return list.map(([name, short, arg]) => ({ name, short, arg, category }));
}

/** Every known directive by name. */
export const CATALOGUE: ReadonlyMap<string, CatalogueEntry> = new Map(
  [...rows(SUPPORTED, 'supported'), ...rows(PROCESS, 'process'), ...rows(DNS, 'dns'), ...rows(UNSUPPORTED, 'unsupported')].map(
    (e) => [e.name, e],
  ),
);

/** Directives by their one-character command-line flag. */
export const BY_SHORT: ReadonlyMap<string, CatalogueEntry> = new Map(
  [...CATALOGUE.values()].filter((e) => e.short !== null).map((e) => [e.short as string, e]),
);

/** Why a `process` directive has no effect under bootfleet. */
export const PROCESS_NOTES: Readonly<Record<string, string>> = {
  'no-daemon': 'bootfleet always runs in the foreground',
  'keep-in-foreground': 'bootfleet always runs in the foreground',
  'log-facility': 'bootfleet logs to stdout',
  'log-async': 'bootfleet logs to stdout',
  'log-debug': 'bootfleet logs every boot step as events',
  'pid-file': 'bootfleet writes no pid file',
  user: 'bootfleet does not change user',
  group: 'bootfleet does not change group',
  'quiet-dhcp': 'bootfleet logs every boot step as events',
  'quiet-dhcp6': 'DHCPv6 is out of scope',
  'quiet-ra': 'router advertisements are out of scope',
  'quiet-tftp': 'bootfleet logs every boot step as events',
  'tftp-no-fail': 'bootfleet checks its TFTP root when it starts',
  'bind-dynamic': 'bootfleet binds to the named interfaces (like bind-interfaces)',
  test: 'syntax check only',
};
