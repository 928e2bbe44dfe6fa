/**
 * What each DHCP option code is called and how its value is shaped, for the text dump and
 * `bootfleet explain`. Names are the protocol's own: RFC 2132 section titles, later RFCs,
 * the PXE 2.1 specification's tags for option 43, iPXE's include/ipxe/dhcp.h for option 175.
 */

/** How a value is laid out on the wire; `format.ts` renders each. */
export type OptionValueType =
  | 'ip' | 'ips' | 'ip-pairs'
  | 'u8' | 'i8' | 'u16' | 'u16s' | 'u32' | 'i32' | 'flag'
  | 'string' | 'bytes' | 'version'
  | 'encapsulated'
  | 'message-type' | 'code-list' | 'overload'
  | 'client-arch' | 'client-id' | 'client-ndi' | 'uuid' | 'user-class'
  | 'domain-list' | 'classless-routes'
  | 'pxe-boot-servers' | 'pxe-boot-menu' | 'pxe-menu-prompt' | 'pxe-boot-item';

export interface OptionInfo {
  name: string;
  type: OptionValueType;
}

function table(rows: readonly (readonly [number, string, OptionValueType])[]): ReadonlyMap<number, OptionInfo> {
  return new Map(rows.map(([code, name, type]) => [code, { name, type }]));
}

/** Top-level DHCP options: RFC 2132 (0–76) and those a boot server meets. */
export const DHCP_OPTIONS: ReadonlyMap<number, OptionInfo> = table([
  [0, 'Pad', 'bytes'],
  [1, 'Subnet Mask', 'ip'],
  [2, 'Time Offset', 'i32'],
  [3, 'Router', 'ips'],
  [4, 'Time Server', 'ips'],
  [5, 'Name Server', 'ips'],
  [6, 'Domain Name Server', 'ips'],
  [7, 'Log Server', 'ips'],
  [8, 'Cookie Server', 'ips'],
  [9, 'LPR Server', 'ips'],
  [10, 'Impress Server', 'ips'],
  [11, 'Resource Location Server', 'ips'],
  [12, 'Host Name', 'string'],
  [13, 'Boot File Size', 'u16'],
  [14, 'Merit Dump File', 'string'],
  [15, 'Domain Name', 'string'],
  [16, 'Swap Server', 'ip'],
  [17, 'Root Path', 'string'],
  [18, 'Extensions Path', 'string'],
  [19, 'IP Forwarding Enable/Disable', 'flag'],
  [20, 'Non-Local Source Routing Enable/Disable', 'flag'],
  [21, 'Policy Filter', 'ip-pairs'],
  [22, 'Maximum Datagram Reassembly Size', 'u16'],
  [23, 'Default IP Time-to-live', 'u8'],
  [24, 'Path MTU Aging Timeout', 'u32'],
  [25, 'Path MTU Plateau Table', 'u16s'],
  [26, 'Interface MTU', 'u16'],
  [27, 'All Subnets are Local', 'flag'],
  [28, 'Broadcast Address', 'ip'],
  [29, 'Perform Mask Discovery', 'flag'],
  [30, 'Mask Supplier', 'flag'],
  [31, 'Perform Router Discovery', 'flag'],
  [32, 'Router Solicitation Address', 'ip'],
  [33, 'Static Route', 'ip-pairs'],
  [34, 'Trailer Encapsulation', 'flag'],
  [35, 'ARP Cache Timeout', 'u32'],
  [36, 'Ethernet Encapsulation', 'flag'],
  [37, 'TCP Default TTL', 'u8'],
  [38, 'TCP Keepalive Interval', 'u32'],
  [39, 'TCP Keepalive Garbage', 'flag'],
  [40, 'Network Information Service Domain', 'string'],
  [41, 'Network Information Servers', 'ips'],
  [42, 'Network Time Protocol Servers', 'ips'],
  [43, 'Vendor Specific Information', 'encapsulated'],
  [44, 'NetBIOS over TCP/IP Name Server', 'ips'],
  [45, 'NetBIOS over TCP/IP Datagram Distribution Server', 'ips'],
  [46, 'NetBIOS over TCP/IP Node Type', 'u8'],
  [47, 'NetBIOS over TCP/IP Scope', 'string'],
  [48, 'X Window System Font Server', 'ips'],
  [49, 'X Window System Display Manager', 'ips'],
  [50, 'Requested IP Address', 'ip'],
  [51, 'IP Address Lease Time', 'u32'],
  [52, 'Option Overload', 'overload'],
  [53, 'DHCP Message Type', 'message-type'],
  [54, 'Server Identifier', 'ip'],
  [55, 'Parameter Request List', 'code-list'],
  [56, 'Message', 'string'],
  [57, 'Maximum DHCP Message Size', 'u16'],
  [58, 'Renewal (T1) Time Value', 'u32'],
  [59, 'Rebinding (T2) Time Value', 'u32'],
  [60, 'Vendor class identifier', 'string'],
  [61, 'Client-identifier', 'client-id'],
  [64, 'Network Information Service+ Domain', 'string'],
  [65, 'Network Information Service+ Servers', 'ips'],
  [66, 'TFTP server name', 'string'],
  [67, 'Bootfile name', 'string'],
  [68, 'Mobile IP Home Agent', 'ips'],
  [69, 'Simple Mail Transport Protocol (SMTP) Server', 'ips'],
  [70, 'Post Office Protocol (POP3) Server', 'ips'],
  [71, 'Network News Transport Protocol (NNTP) Server', 'ips'],
  [72, 'Default World Wide Web (WWW) Server', 'ips'],
  [73, 'Default Finger Server', 'ips'],
  [74, 'Default Internet Relay Chat (IRC) Server', 'ips'],
  [75, 'StreetTalk Server', 'ips'],
  [76, 'StreetTalk Directory Assistance (STDA) Server', 'ips'],
  [77, 'User Class', 'user-class'], // RFC 3004
  [82, 'Relay Agent Information', 'encapsulated'], // RFC 3046
  [93, 'Client System Architecture Type', 'client-arch'], // RFC 4578 §2.1
  [94, 'Client Network Interface Identifier', 'client-ndi'], // RFC 4578 §2.2
  [97, 'Client Machine Identifier', 'uuid'], // RFC 4578 §2.3
  [119, 'Domain Search', 'domain-list'], // RFC 3397
  [121, 'Classless Static Route', 'classless-routes'], // RFC 3442
  [150, 'TFTP Server Address', 'ips'], // RFC 5859
  [175, 'Etherboot (iPXE) Encapsulated Options', 'encapsulated'], // iPXE include/ipxe/dhcp.h DHCP_EB_ENCAP
  [208, 'PXELINUX Magic', 'bytes'], // RFC 5071 §4: f1:00:74:7e
  [209, 'Configuration File', 'string'], // RFC 5071 §5
  [210, 'Path Prefix', 'string'], // RFC 5071 §6
  [211, 'Reboot Time', 'u32'], // RFC 5071 §7
  [255, 'End', 'bytes'],
]);

/** Option 43 sub-options when the vendor class is `PXEClient` (PXE 2.1 spec, Table 2-1). */
export const PXE_VENDOR_OPTIONS: ReadonlyMap<number, OptionInfo> = table([
  [1, 'PXE_MTFTP_IP', 'ip'],
  [2, 'PXE_MTFTP_CPORT', 'u16'],
  [3, 'PXE_MTFTP_SPORT', 'u16'],
  [4, 'PXE_MTFTP_TMOUT', 'u8'],
  [5, 'PXE_MTFTP_DELAY', 'u8'],
  [6, 'PXE_DISCOVERY_CONTROL', 'u8'],
  [7, 'PXE_DISCOVERY_MCAST_ADDR', 'ip'],
  [8, 'PXE_BOOT_SERVERS', 'pxe-boot-servers'],
  [9, 'PXE_BOOT_MENU', 'pxe-boot-menu'],
  [10, 'PXE_MENU_PROMPT', 'pxe-menu-prompt'],
  [11, 'PXE_MCAST_ADDRS_ALLOC', 'bytes'],
  [12, 'PXE_CREDENTIAL_TYPES', 'bytes'],
  [71, 'PXE_BOOT_ITEM', 'pxe-boot-item'],
]);

/**
 * Option 175 sub-options (iPXE include/ipxe/dhcp.h and features.h; names as iPXE's ISC dhcpd
 * `ipxe.` option space spells them). 0x10–0x4f are feature flags a client sends to say what
 * it was built with; their value is a version byte, normally 1.
 */
export const IPXE_OPTIONS: ReadonlyMap<number, OptionInfo> = table([
  [1, 'priority', 'i8'],
  [2, 'yiaddr', 'ip'], // internal to iPXE, never on the wire
  [3, 'siaddr', 'ip'], // internal to iPXE, never on the wire
  [8, 'keep-san', 'u8'],
  [9, 'skip-san-boot', 'u8'],
  [16, 'pxeext', 'u8'],
  [17, 'iscsi', 'u8'],
  [18, 'aoe', 'u8'],
  [19, 'http', 'u8'],
  [20, 'https', 'u8'],
  [21, 'tftp', 'u8'],
  [22, 'ftp', 'u8'],
  [23, 'dns', 'u8'],
  [24, 'bzimage', 'u8'],
  [25, 'multiboot', 'u8'],
  [26, 'slam', 'u8'],
  [27, 'srp', 'u8'],
  [32, 'nbi', 'u8'],
  [33, 'pxe', 'u8'],
  [34, 'elf', 'u8'],
  [35, 'comboot', 'u8'],
  [36, 'efi', 'u8'],
  [37, 'fcoe', 'u8'],
  [38, 'vlan', 'u8'],
  [39, 'menu', 'u8'],
  [40, 'sdi', 'u8'],
  [41, 'nfs', 'u8'],
  [81, 'scriptlet', 'string'],
  [85, 'syslogs', 'string'],
  [90, 'trust', 'bytes'],
  [91, 'cert', 'bytes'],
  [92, 'privkey', 'bytes'],
  [93, 'crosscert', 'string'],
  [176, 'no-pxedhcp', 'u8'],
  [177, 'bus-id', 'bytes'],
  [178, 'use-cached', 'u8'], // obsolete in iPXE; listed so old dumps read clearly
  [189, 'bios-drive', 'u8'],
  [190, 'username', 'string'],
  [191, 'password', 'string'],
  [192, 'reverse-username', 'string'],
  [193, 'reverse-password', 'string'],
  [194, 'uid', 'u32'],
  [195, 'gid', 'u32'],
  [235, 'version', 'version'],
]);

/** Option 82 sub-options (RFC 3046 §2.0, RFC 3527, RFC 3993, RFC 5107, RFC 6607). */
export const RELAY_AGENT_OPTIONS: ReadonlyMap<number, OptionInfo> = table([
  [1, 'Agent Circuit ID', 'bytes'],
  [2, 'Agent Remote ID', 'bytes'],
  [5, 'Link Selection', 'ip'],
  [6, 'Subscriber-ID', 'string'],
  [11, 'Server Identifier Override', 'ip'],
  [151, 'Virtual Subnet Selection', 'bytes'],
  [152, 'Virtual Subnet Selection Control', 'bytes'],
]);

/** The sub-option table for an encapsulating option, or null when it has none. */
export function subOptionTable(parent: number): ReadonlyMap<number, OptionInfo> | null {
  switch (parent) {
    case 43: return PXE_VENDOR_OPTIONS;
    case 82: return RELAY_AGENT_OPTIONS;
    case 175: return IPXE_OPTIONS;
    default: return null;
  }
}

/** What is known about option `code`, or undefined. */
export function optionInfo(code: number): OptionInfo | undefined {
  return DHCP_OPTIONS.get(code);
}

/** The protocol's name for option `code`, or `unknown (N)`. */
export function optionName(code: number): string {
  return DHCP_OPTIONS.get(code)?.name ?? `unknown (${code})`;
}

/** The name of sub-option `code` inside option `parent` (43, 82, 175), or `unknown (N)`. */
export function subOptionName(parent: number, code: number): string {
  return subOptionTable(parent)?.get(code)?.name ?? `unknown (${code})`;
}

/**
 * IANA "Processor Architecture Types" (option 93, RFC 4578 §2.1 as corrected by erratum 4624
 * and the IANA registry: 7 is x64 UEFI, 9 is EBC, though some firmware sends 9 for x64).
 * Only 0–19 are listed: the rest print as `unknown (N)` rather than risk a wrong name.
 */
export const CLIENT_ARCH_NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'x86 BIOS'],
  [1, 'NEC/PC98'],
  [2, 'Itanium'],
  [3, 'DEC Alpha'],
  [4, 'Arc x86'],
  [5, 'Intel Lean Client'],
  [6, 'x86 UEFI'],
  [7, 'x64 UEFI'],
  [8, 'EFI Xscale'],
  [9, 'EBC'],
  [10, 'ARM 32-bit UEFI'],
  [11, 'ARM 64-bit UEFI'],
  [12, 'PowerPC Open Firmware'],
  [13, 'PowerPC ePAPR'],
  [14, 'POWER OPAL v3'],
  [15, 'x86 UEFI HTTP'],
  [16, 'x64 UEFI HTTP'],
  [17, 'EBC HTTP'],
  [18, 'ARM 32-bit UEFI HTTP'],
  [19, 'ARM 64-bit UEFI HTTP'],
]);

/** Name of a client architecture type, or `unknown (N)`. */
export function clientArchName(arch: number): string {
  return CLIENT_ARCH_NAMES.get(arch) ?? `unknown (${arch})`;
}
