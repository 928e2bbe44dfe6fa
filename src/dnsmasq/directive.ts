/**
 * Typed dnsmasq directives: the network-boot subset bootfleet understands, each with the
 * file and line it came from. Values are already checked and normalised (addresses as dotted
 * quads, MACs as bytes, lease times in seconds), so nothing downstream parses text again.
 */
import type { OptionSpec } from './parse-option-value.js';
import type { SourceRef } from './problems.js';
import type { TagRef } from './tags.js';

/** A hardware address pattern (`dhcp-host`, `dhcp-mac`): bytes with `*` wildcards. */
export interface HwAddrPattern {
  bytes: Buffer;
  /** Per byte: true where the pattern had `*`. */
  wildcard: boolean[];
  /** ARP type from a `06-…` prefix; 0 matches any. */
  hwType: number;
}

/** A lease time: seconds (at least 120, as dnsmasq enforces) or `infinite`. */
export type LeaseTime = number | 'infinite';

interface Base {
  at: SourceRef;
  /** The directive as written, quotes resolved (`dhcp-boot=tag:efi,ipxe.efi`); set by the loader. */
  text?: string;
}

export interface DhcpRangeDirective extends Base {
  kind: 'dhcp-range';
  /** `tag:` conditions: the range is used only for requests with these tags. */
  filters: TagRef[];
  /** `set:` tag given to requests served from this range (at most one). */
  setTag: string | null;
  start: string;
  end: string;
  /** `static`: addresses only from dhcp-host; `proxy`: proxyDHCP on this subnet. */
  mode: 'dynamic' | 'static' | 'proxy';
  netmask: string | null;
  broadcast: string | null;
  /** Null: dnsmasq's default (one hour). */
  leaseTime: LeaseTime | null;
}

export interface DhcpHostDirective extends Base {
  kind: 'dhcp-host';
  hwaddrs: HwAddrPattern[];
  /** `id:` client identifier (option 61 bytes), or null. */
  clientId: Buffer | null;
  /** `id:*`: ignore the client identifier, match on MAC only. */
  ignoreClientId: boolean;
  setTags: string[];
  filters: TagRef[];
  address: string | null;
  hostname: string | null;
  leaseTime: LeaseTime | null;
  /** `ignore`: never answer this host. */
  ignore: boolean;
}

export interface DhcpBootDirective extends Base {
  kind: 'dhcp-boot';
  filters: TagRef[];
  /** Null when the line gives only a server (`dhcp-boot=,name,address`). */
  file: string | null;
  /** Goes to the reply's `sname` (or option 66). */
  serverName: string | null;
  /** Goes to `siaddr`; null means the server's own address. */
  serverAddress: string | null;
  /** A TFTP server given by name instead of address (dnsmasq looks it up in /etc/hosts). */
  tftpServerName: string | null;
}

export interface DhcpOptionDirective extends Base {
  kind: 'dhcp-option';
  /** dhcp-option-force: sent even when the client did not ask for it. */
  force: boolean;
  spec: OptionSpec;
}

export interface DhcpMatchDirective extends Base {
  kind: 'dhcp-match';
  setTag: string;
  spec: OptionSpec;
}

export interface ClassMatchDirective extends Base {
  kind: 'dhcp-vendorclass' | 'dhcp-userclass';
  setTag: string;
  /** Matched as a substring of the client's option 60 / 77 bytes. */
  data: Buffer;
  /** dhcp-vendorclass `enterprise:` (DHCPv6 only in dnsmasq; kept for reporting). */
  enterprise: number | null;
}

export interface DhcpMacDirective extends Base {
  kind: 'dhcp-mac';
  setTag: string;
  pattern: HwAddrPattern;
}

export interface TagIfDirective extends Base {
  kind: 'tag-if';
  set: string[];
  conditions: TagRef[];
}

export interface DhcpIgnoreDirective extends Base {
  kind: 'dhcp-ignore';
  conditions: TagRef[];
}

export interface PxeServiceDirective extends Base {
  kind: 'pxe-service';
  filters: TagRef[];
  /** Client system architecture number as dnsmasq maps the name (x86PC 0, … x86-64_EFI 7, BC_EFI 9). */
  csa: number;
  /** The CSA name as written, or null when given as a number. */
  csaName: string | null;
  menuText: string;
  /** A boot file basename served by TFTP (dnsmasq adds `.0` unless it has a dot), or null. */
  basename: string | null;
  /**
   * PXE boot server type: 0 = boot from local disk, dnsmasq numbers basename services from
   * 32768 in the order they are read, other numbers are given explicitly.
   */
  serviceType: number;
  serverAddress: string | null;
  serverName: string | null;
}

export interface PxePromptDirective extends Base {
  kind: 'pxe-prompt';
  filters: TagRef[];
  prompt: string;
  /** Seconds; 255 (the default) waits for a key. */
  timeout: number;
}

export interface FlagDirective extends Base {
  kind:
    | 'dhcp-no-override'
    | 'dhcp-authoritative'
    | 'no-ping'
    | 'tftp-secure'
    | 'tftp-no-blocksize'
    | 'tftp-lowercase'
    | 'log-dhcp'
    | 'bind-interfaces';
}

export interface NamesDirective extends Base {
  kind: 'interface' | 'except-interface' | 'enable-tftp';
  /** Interface names (may end in `*`); for enable-tftp, empty means "where DHCP is served". */
  names: string[];
}

export interface ListenAddressDirective extends Base {
  kind: 'listen-address';
  addresses: string[];
}

export interface NumberDirective extends Base {
  kind: 'port' | 'tftp-max';
  value: number;
}

export interface TftpRootDirective extends Base {
  kind: 'tftp-root';
  dir: string;
  /** Only for TFTP requests on this interface. */
  iface: string | null;
}

export interface TftpPortRangeDirective extends Base {
  kind: 'tftp-port-range';
  start: number;
  end: number;
}

export interface LeaseFileDirective extends Base {
  kind: 'dhcp-leasefile';
  path: string | null;
}

export interface IncludeDirective extends Base {
  kind: 'conf-file' | 'conf-dir';
  path: string;
  /** conf-dir: files ending in these are skipped. */
  skipSuffixes: string[];
  /** conf-dir `*.ext` form: only files ending in these are read. */
  onlySuffixes: string[];
  /** The files actually read, in order. */
  files: string[];
}

/** A directive accepted with no effect (DNS, or how the process runs), kept so it can be reported. */
export interface IgnoredDirective extends Base {
  kind: 'ignored';
  name: string;
  arg: string | null;
  why: 'dns' | 'process' | 'skipped';
  note: string;
}

export type Directive =
  | DhcpRangeDirective
  | DhcpHostDirective
  | DhcpBootDirective
  | DhcpOptionDirective
  | DhcpMatchDirective
  | ClassMatchDirective
  | DhcpMacDirective
  | TagIfDirective
  | DhcpIgnoreDirective
  | PxeServiceDirective
  | PxePromptDirective
  | FlagDirective
  | NamesDirective
  | ListenAddressDirective
  | NumberDirective
  | TftpRootDirective
  | TftpPortRangeDirective
  | LeaseFileDirective
  | IncludeDirective
  | IgnoredDirective;
