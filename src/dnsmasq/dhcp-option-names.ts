/**
 * The DHCPv4 option names dnsmasq 2.90 accepts after `option:` (`dnsmasq --help dhcp` lists
 * the public ones) and the value shape it assumes for each, which decides how a value such
 * as `7` or `1.2.3.4` is encoded. Names match case-insensitively, as in dnsmasq.
 */

export interface DnsmasqOptionInfo {
  name: string;
  code: number;
  /** Fixed width of a number value in bytes; 0 when dnsmasq sizes a number by its value. */
  size: 0 | 1 | 2 | 4;
  /** A list of IPv4 addresses: a value must be addresses. */
  addrList?: boolean;
  /** Text: a value is never read as a number or an address. */
  text?: boolean;
  /** RFC 1035 names (option 119). */
  rfc1035?: boolean;
  /** A time: `1h`, `30m`, … in seconds, 4 bytes. */
  time?: boolean;
  /** Used by dnsmasq itself: not settable by name with dhcp-option (dhcp-match may test it). */
  internal?: boolean;
}

type Row = readonly [name: string, code: number, size: 0 | 1 | 2 | 4, flags?: string];

const ROWS: readonly Row[] = [
  ['netmask', 1, 0, 'addr'],
  ['time-offset', 2, 4],
  ['router', 3, 0, 'addr'],
  ['dns-server', 6, 0, 'addr'],
  ['log-server', 7, 0, 'addr'],
  ['lpr-server', 9, 0, 'addr'],
  ['hostname', 12, 0, 'internal text'],
  ['boot-file-size', 13, 2],
  ['domain-name', 15, 0, 'text'],
  ['swap-server', 16, 0, 'addr'],
  ['root-path', 17, 0, 'text'],
  ['extension-path', 18, 0, 'text'],
  ['ip-forward-enable', 19, 1],
  ['non-local-source-routing', 20, 1],
  ['policy-filter', 21, 0, 'addr'],
  ['max-datagram-reassembly', 22, 2],
  ['default-ttl', 23, 1],
  ['mtu', 26, 2],
  ['all-subnets-local', 27, 1],
  ['broadcast', 28, 0, 'internal addr'],
  ['router-discovery', 31, 1],
  ['router-solicitation', 32, 0, 'addr'],
  ['static-route', 33, 0, 'addr'],
  ['trailer-encapsulation', 34, 1],
  ['arp-timeout', 35, 4],
  ['ethernet-encap', 36, 1],
  ['tcp-ttl', 37, 1],
  ['tcp-keepalive', 38, 4],
  ['nis-domain', 40, 0, 'text'],
  ['nis-server', 41, 0, 'addr'],
  ['ntp-server', 42, 0, 'addr'],
  ['vendor-encap', 43, 0, 'internal'],
  ['netbios-ns', 44, 0, 'addr'],
  ['netbios-dd', 45, 0, 'addr'],
  ['netbios-nodetype', 46, 1],
  ['netbios-scope', 47, 0],
  ['x-windows-fs', 48, 0, 'addr'],
  ['x-windows-dm', 49, 0, 'addr'],
  ['requested-address', 50, 0, 'internal addr'],
  ['lease-time', 51, 0, 'internal time'],
  ['option-overload', 52, 0, 'internal'],
  ['message-type', 53, 0, 'internal'],
  ['server-identifier', 54, 0, 'internal addr'],
  ['parameter-request', 55, 0, 'internal'],
  ['message', 56, 0, 'internal'],
  ['max-message-size', 57, 0, 'internal'],
  ['T1', 58, 0, 'time'],
  ['T2', 59, 0, 'time'],
  ['vendor-class', 60, 0],
  ['client-id', 61, 0, 'internal'],
  ['nis+-domain', 64, 0, 'text'],
  ['nis+-server', 65, 0, 'addr'],
  ['tftp-server', 66, 0, 'text'],
  ['bootfile-name', 67, 0, 'text'],
  ['mobile-ip-home', 68, 0, 'addr'],
  ['smtp-server', 69, 0, 'addr'],
  ['pop3-server', 70, 0, 'addr'],
  ['nntp-server', 71, 0, 'addr'],
  ['irc-server', 74, 0, 'addr'],
  ['user-class', 77, 0],
  ['rapid-commit', 80, 0],
  ['FQDN', 81, 0, 'internal'],
  ['agent-id', 82, 0, 'internal'],
  ['client-arch', 93, 2],
  ['client-interface-id', 94, 0],
  ['client-machine-id', 97, 0],
  ['posix-timezone', 100, 0, 'text'],
  ['tzdb-timezone', 101, 0, 'text'],
  ['ipv6-only', 108, 4],
  ['subnet-select', 118, 0, 'internal'],
  ['domain-search', 119, 0, 'rfc1035'],
  ['sip-server', 120, 0],
  ['classless-static-route', 121, 0],
  ['vendor-id-encap', 125, 0],
  ['tftp-server-address', 150, 0, 'addr'],
  // Not a real option: dnsmasq's internal way to set siaddr from a dhcp-option line.
  ['server-ip-address', 255, 0, 'addr'],
];

function info([name, code, size, flags = '']: Row): DnsmasqOptionInfo {
  const f = new Set(flags.split(' '));
  const out: DnsmasqOptionInfo = { name, code, size };
  if (f.has('addr')) out.addrList = true;
  if (f.has('text')) out.text = true;
  if (f.has('rfc1035')) out.rfc1035 = true;
  if (f.has('time')) out.time = true;
  if (f.has('internal')) out.internal = true;
  return out;
}

const BY_NAME = new Map(ROWS.map((r) => [r[0].toLowerCase(), info(r)]));
const BY_CODE = new Map(ROWS.map((r) => [r[1], info(r)]));

/** The option dnsmasq calls `name` (any case), or undefined. */
export function dnsmasqOptionByName(name: string): DnsmasqOptionInfo | undefined {
  return BY_NAME.get(name.toLowerCase());
}

/** What dnsmasq assumes about option `code`, or undefined when it knows nothing. */
export function dnsmasqOptionByCode(code: number): DnsmasqOptionInfo | undefined {
  return BY_CODE.get(code);
}
