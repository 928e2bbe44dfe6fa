import { z } from 'zod';

/**
 * The one YAML config file, as a schema. Everything bootfleet does is decided from a
 * value that passed this schema; see README.md "Config reference" (kept in step with
 * this file).
 */

const octet = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const ipv4 = z.string().regex(new RegExp(`^${octet}(\\.${octet}){3}$`), 'an IPv4 address like 198.18.0.1');
/** Octets are range-checked too, so `198.18.0.300/24` fails here rather than later. */
const cidr = z
  .string()
  .regex(new RegExp(`^${octet}(\\.${octet}){3}\\/(3[0-2]|[12]?\\d)$`), 'an IPv4 network like 198.18.0.0/24');
const mac = z
  .string()
  .regex(/^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/, 'a MAC address like 52:54:00:12:34:56')
  .transform((m) => m.toLowerCase().replace(/-/g, ':'));
const port = z.number().int().min(0).max(65535);
/** Seconds, or a string like `90s`, `30m`, `12h`, `7d`. */
const duration = z.union([
  z.number().int().positive(),
  z
    .string()
    // Zero is not a duration anyone means (a lease of 0 s); the number branch rejects it too.
    .regex(/^[1-9]\d*[smhd]$/, 'a duration like 3600, 90s, 30m, 12h or 7d')
    .transform((s) => Number(s.slice(0, -1)) * { s: 1, m: 60, h: 3600, d: 86400 }[s.slice(-1) as 's' | 'm' | 'h' | 'd']),
]).describe('a duration like 3600, 90s, 30m, 12h or 7d');

export const interfaceSchema = z
  .object({
    /** Kernel interface name. bootfleet binds DHCP to it alone (SO_BINDTODEVICE). */
    name: z.string().min(1).max(15),
    /** full: hand out addresses; proxy: boot options only (proxyDHCP); off: never answer DHCP here. */
    mode: z.enum(['full', 'proxy', 'off']).default('full'),
    /** Address advertised to clients for TFTP/HTTP on this segment; default: the interface's first IPv4. */
    serverAddress: ipv4.optional(),
    /**
     * A proxyDHCP server (another bootfleet, dnsmasq `proxy`, WDS…) answers on this segment. In full
     * mode, iPXE clients are then not told to skip their proxyDHCP wait (iPXE option 175.176).
     */
    proxyPresent: z.boolean().default(false),
    /**
     * Full mode: start even when the start-up probe finds another DHCP server on this segment
     * (a failover peer, a lab). Without it bootfleet refuses: two address-giving servers break a LAN.
     */
    allowOtherDhcp: z.boolean().default(false),
    /**
     * iPXE waits ≈ 13 s for an IPv6 router advertisement before it boots. auto: answer the router
     * solicitations of clients seen as iPXE in DHCP here, unicast, with an advertisement that
     * configures nothing (router lifetime 0, no prefix, M=O=0), and only while no IPv6 router is
     * heard on this segment (docs/adr/0005-ipv6-ra.md). off: send no IPv6 packets here at all.
     */
    ipv6RaForIpxe: z.enum(['auto', 'off']).default('auto'),
  })
  .strict();

export const poolSchema = z.object({ start: ipv4, end: ipv4 }).strict();

export const subnetSchema = z
  .object({
    subnet: cidr,
    pools: z.array(poolSchema).min(1),
    router: ipv4.optional(),
    dns: z.array(ipv4).default([]),
    domain: z.string().optional(),
    leaseTime: duration.default(3600),
  })
  .strict();

export const reservationSchema = z
  .object({
    mac,
    address: ipv4,
    hostname: z.string().regex(/^[A-Za-z0-9]([A-Za-z0-9-]{0,62})$/, 'a hostname label').optional(),
  })
  .strict();

/**
 * iPXE reads its script line by line, so a line break in a profile value would start a
 * new command; refuse control characters at load time, with a line number, rather than
 * only when the script is rendered.
 */
const scriptSafe = z.string().regex(/^[^\x00-\x1f\x7f]*$/, 'text without line breaks or control characters');

/**
 * PXE client system architectures as PXE menus name them (dnsmasq's `pxe-service` CSA names,
 * RFC 4578 §2.1 numbers). `X86-64_EFI` matches arch 7 (EDK2/OVMF x64 sends 7, and dnsmasq names 7
 * so) and also 9, which other x64 firmware sends; `BC_EFI` is 9 as in dnsmasq.
 */
export const pxeCsaNames = ['x86PC', 'PC98', 'IA64_EFI', 'Alpha', 'Arc_x86', 'Intel_Lean_Client', 'IA32_EFI', 'BC_EFI', 'Xscale_EFI', 'X86-64_EFI', 'ARM32_EFI', 'ARM64_EFI'] as const;

/** The option 93 architecture numbers each CSA name matches. */
export const pxeCsaArches: Readonly<Record<(typeof pxeCsaNames)[number], readonly number[]>> = {
  x86PC: [0],
  PC98: [1],
  IA64_EFI: [2],
  Alpha: [3],
  Arc_x86: [4],
  Intel_Lean_Client: [5],
  IA32_EFI: [6],
  // dnsmasq 2.90 names arch 9 BC_EFI and 7 X86-64_EFI (checked against it in src/dnsmasq's differential test).
  BC_EFI: [9],
  Xscale_EFI: [8],
  // EDK2/OVMF x64 sends 7, other x64 firmware 9: both are x86-64 UEFI (design.md).
  'X86-64_EFI': [7, 9],
  ARM32_EFI: [10],
  ARM64_EFI: [11],
};

export const pxeMenuItemSchema = z
  .object({
    /** Text the PXE ROM shows for this item. */
    label: z.string().min(1).max(200).regex(/^[^\x00-\x1f\x7f]+$/, 'text without line breaks or control characters'),
    /** Which client architecture sees the item. */
    csa: z.enum(pxeCsaNames),
    /** A boot file name served over TFTP (e.g. `undionly.kpxe`), or `local` to leave network boot and boot from disk. */
    plan: z.string().min(1).max(127).regex(/^[^\x00-\x1f\x7f]+$/, 'a boot file name or local'),
  })
  .strict();

export const pxeMenuSchema = z
  .object({
    /** Shown before the menu (PXE 2.1 PXE_MENU_PROMPT); timeout in seconds: 0 boots the first item at once, 255 waits forever. */
    prompt: z
      .object({
        text: z.string().max(200).regex(/^[^\x00-\x1f\x7f]*$/, 'text without line breaks or control characters').default('Press F8 for the boot menu'),
        timeout: z.number().int().min(0).max(255).default(10),
      })
      .strict()
      .optional(),
    items: z.array(pxeMenuItemSchema).min(1),
  })
  .strict();

/**
 * The profile a machine boots while it is marked for (re)install (`bootfleet machines install`);
 * once its installer calls back `installed`, it boots this profile again.
 */
const installProfile = z.string().min(1).optional();

/** Kernel + initrd + command line. Its fields are templates (`{{ hostname }}`, see src/boot/templates). */
const kernelFields = {
  /** Kernel URL or a path under http.root (served by bootfleet). */
  kernel: scriptSafe.min(1),
  initrd: z.array(scriptSafe.min(1)).default([]),
  cmdline: scriptSafe.default(''),
};

/** `linux` (the default kind, so a profile written before kinds existed keeps its meaning): iPXE boots kernel + initrd. */
export const linuxProfileSchema = z
  .object({ kind: z.literal('linux').optional(), ...kernelFields, install: installProfile })
  .strict();

/** A PXELINUX label: typed at its prompt and named by DEFAULT, so one word. */
const pxelinuxLabel = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'a label of letters, digits, ".", "_" and "-" (one word)');

export const pxelinuxEntrySchema = z
  .object({
    label: pxelinuxLabel,
    /** Text shown by a menu UI (`MENU LABEL`). */
    menuLabel: scriptSafe.optional(),
    /** Path on the TFTP server (relative to the path prefix, option 210) or a URL. */
    kernel: scriptSafe.min(1),
    initrd: z.array(scriptSafe.min(1)).default([]),
    /** The kernel command line (`APPEND`). */
    append: scriptSafe.default(''),
  })
  .strict();

/** `pxelinux`: a PXELINUX menu served over TFTP as `pxelinux.cfg/01-<mac>` (and `default`). BIOS only. */
export const pxelinuxProfileSchema = z
  .object({
    kind: z.literal('pxelinux'),
    entries: z.array(pxelinuxEntrySchema).min(1),
    /** The entry booted when nobody chooses; default: the first. */
    default: pxelinuxLabel.optional(),
    /** PXELINUX `TIMEOUT`, in tenths of a second (0: boot the default at once). */
    timeout: z.number().int().min(0).max(36000).default(0),
    /** Show `menu.c32` with this title (from the syslinux modules directory) instead of booting silently. */
    menuTitle: scriptSafe.optional(),
    install: installProfile,
  })
  .strict();

/** `chain`: iPXE chains another script or binary (netboot.xyz, another server). */
export const chainProfileSchema = z
  .object({ kind: z.literal('chain'), /** URL, or a path under http.root. */ url: scriptSafe.min(1), install: installProfile })
  .strict();

/** `sanboot`: iPXE boots an ISO (`http://…/x.iso`) or an iSCSI target (`iscsi:…`, RFC 4173 root path). */
export const sanbootProfileSchema = z
  .object({
    kind: z.literal('sanboot'),
    /** What iPXE would take from DHCP option 17 (root-path). */
    rootPath: scriptSafe.min(1),
    /** Keep the SAN device hooked after boot (iPXE setting keep-san, DHCP option 175.8): an OS installing to it needs it. */
    keepSan: z.boolean().default(false),
    /** BIOS drive number to hook it as (iPXE `sanboot --drive`), e.g. 128 for 0x80. */
    drive: z.number().int().min(0).max(255).optional(),
    install: installProfile,
  })
  .strict();

/** `local`: leave network boot; the firmware boots the next device (iPXE `exit`). */
export const localProfileSchema = z.object({ kind: z.literal('local'), install: installProfile }).strict();

/** `debian-installer`: Debian's netboot kernel + initrd with `auto=true priority=critical url=<this machine's preseed>`. */
export const debianInstallerProfileSchema = z
  .object({
    kind: z.literal('debian-installer'),
    ...kernelFields,
    /** The preseed file, a template served at `/preseed/<mac>.cfg` (values with `| shell` become single-quoted words). */
    preseed: z.string().default(''),
    install: installProfile,
  })
  .strict();

const yamlMapping = z.record(z.string(), z.json());

/** `cloud-init`: kernel + initrd with a NoCloud seed (`ds=nocloud-net;s=…/cloud-init/<mac>/`) rendered per machine. */
export const cloudInitProfileSchema = z
  .object({
    kind: z.literal('cloud-init'),
    ...kernelFields,
    /** `#cloud-config` user-data as YAML; string values are templates. */
    userData: yamlMapping.default({}),
    /** Added to `instance-id` and `local-hostname`. */
    metaData: yamlMapping.default({}),
    vendorData: yamlMapping.optional(),
    install: installProfile,
  })
  .strict();

/**
 * What a machine boots, by `kind` (default `linux`). String fields that reach a boot script,
 * menu or file are templates over the machine's facts (src/boot/templates/README.md).
 */
export const profileSchema = z.discriminatedUnion('kind', [
  linuxProfileSchema,
  pxelinuxProfileSchema,
  chainProfileSchema,
  sanbootProfileSchema,
  localProfileSchema,
  debianInstallerProfileSchema,
  cloudInitProfileSchema,
]);

/** Every profile kind; `linux` when `kind` is absent. */
export const profileKinds = ['linux', 'pxelinux', 'chain', 'sanboot', 'local', 'debian-installer', 'cloud-init'] as const;
export type ProfileKind = (typeof profileKinds)[number];

/**
 * Names of profiles and groups that the API addresses in a URL path segment
 * (`/api/v1/groups/<name>`), so kept to a safe alphabet.
 */
export const fleetObjectName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'a name of letters, digits, ".", "_" and "-" (at most 63, starting with a letter or digit)');

/**
 * Labels on a machine, matched by group selectors. Keys are Kubernetes-like; values are any
 * one-line text: renderers escape them per target, so `x; reboot` is a legal (harmless) value.
 */
export const labelsSchema = z.record(
  z.string().regex(/^[A-Za-z0-9]([A-Za-z0-9._/-]{0,62})$/, 'a label key of letters, digits, ".", "_", "/" and "-" (at most 63)'),
  z.string().max(253).regex(/^[^\x00-\x1f\x7f]*$/, 'one line of text (at most 253 characters)'),
);

/** Firmware families as `boot/client-facts.ts` names them (`FirmwareFamily`; a test keeps them equal). */
export const firmwareNames = ['bios-pxe', 'uefi-pxe', 'uefi-http', 'ipxe', 'os'] as const;

const uuid = z
  .string()
  .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'a UUID like 4c4c4544-0042-3510-8056-b3c04f4d3232')
  .transform((u) => u.toLowerCase());

/**
 * Which machines a group selects. Every field given must match (AND); a list matches when
 * any of its entries does. A group with more fields is more specific (see fleet/resolve-profile.ts).
 */
export const groupSelectorSchema = z
  .object({
    macs: z.array(mac).min(1).optional(),
    /** SMBIOS UUIDs as sent in DHCP option 97. */
    uuids: z.array(uuid).min(1).optional(),
    /** Every label given must be on the machine with this value. */
    labels: labelsSchema.optional(),
    /** DHCP option 93 client arch numbers (0 BIOS, 7/9 UEFI x64, 11 ARM64, …). */
    arch: z.array(z.number().int().min(0).max(65535)).min(1).optional(),
    firmware: z.array(z.enum(firmwareNames)).min(1).optional(),
    /** The machine's address (its last lease, or where it fetches its script from) lies in this network. */
    subnet: cidr.optional(),
  })
  .strict();

export const groupSchema = z
  .object({
    profile: z.string().min(1),
    /** Higher wins; among equal priorities the group with more selector fields wins, then the name. */
    priority: z.number().int().min(-1000).max(1000).default(0),
    selector: groupSelectorSchema.default({}),
  })
  .strict();

export const machineSchema = z
  .object({
    mac,
    profile: z.string().min(1),
    hostname: z.string().optional(),
    labels: labelsSchema.optional(),
  })
  .strict();

export const apiTokenSchema = z
  .object({
    /** Who holds the token; shown in logs, never the token itself. */
    name: z.string().min(1).max(63),
    token: z.string().min(16, 'a token of at least 16 characters').max(256).regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces'),
    /** read: GET only; admin: everything. */
    role: z.enum(['read', 'admin']),
  })
  .strict();

export const apiSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** An admin API does not belong on the boot network: loopback unless asked. */
    address: ipv4.default('127.0.0.1'),
    port: port.default(8081),
    tokens: z.array(apiTokenSchema).default([]),
    /** A YAML file holding a list like `tokens` (kept out of the main config); read at start. */
    tokensFile: z.string().regex(/^\//, 'an absolute path').optional(),
  })
  .strict();

export const configSchema = z
  .object({
    dataDir: z.string().default('/var/lib/bootfleet'),
    log: z
      .object({
        level: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
        format: z.enum(['text', 'json']).default('text'),
      })
      .strict()
      .default({ level: 'info', format: 'text' }),
    interfaces: z.array(interfaceSchema).min(1),
    dhcp: z
      .object({
        port: port.default(67),
        /** NAK requests for addresses outside our subnets on segments we serve (RFC 2131 §4.3.2). */
        authoritative: z.boolean().default(true),
        subnets: z.array(subnetSchema).default([]),
        reservations: z.array(reservationSchema).default([]),
        /**
         * Before opening its DHCP sockets, listen this long on each full/proxy interface for other
         * DHCP servers' answers to one DISCOVER (0: skip). dnsmasq pings an address ≈3 s before
         * offering it, so less than 4 s misses a default dnsmasq the first time.
         */
        probeSeconds: z.number().min(0).max(30).default(4),
        /**
         * ARP-probe pool addresses on directly attached subnets before and while offering them
         * (dhcp/conflict-detector.ts); an address another host answers for is kept from clients
         * for 10 minutes. Never delays an offer (dnsmasq's ping does, ≈3 s).
         */
        conflictDetection: z.boolean().default(true),
      })
      .strict()
      .default({ port: 67, authoritative: true, subnets: [], reservations: [], probeSeconds: 4, conflictDetection: true }),
    tftp: z
      .object({
        enabled: z.boolean().default(true),
        port: port.default(69),
        /** Files served over TFTP; iPXE binaries are also looked up in ipxeDir. */
        root: z.string().default('./tftp'),
        ipxeDir: z.string().default('/usr/lib/ipxe'),
        /** pxelinux.0 (Debian package pxelinux), for profiles of kind pxelinux. */
        pxelinuxDir: z.string().default('/usr/lib/PXELINUX'),
        /** ldlinux.c32, menu.c32 and the other BIOS modules PXELINUX loads (Debian package syslinux-common). */
        syslinuxModulesDir: z.string().default('/usr/lib/syslinux/modules/bios'),
        maxBlksize: z.number().int().min(512).max(65464).default(65464),
        maxWindowsize: z.number().int().min(1).max(64).default(16),
        /** Seconds before a block is sent again (the client may ask for another with `timeout`). */
        timeout: z.number().int().min(1).max(255).default(2),
        retries: z.number().int().min(1).max(20).default(5),
      })
      .strict()
      .default({ enabled: true, port: 69, root: './tftp', ipxeDir: '/usr/lib/ipxe', pxelinuxDir: '/usr/lib/PXELINUX', syslinuxModulesDir: '/usr/lib/syslinux/modules/bios', maxBlksize: 65464, maxWindowsize: 16, timeout: 2, retries: 5 }),
    http: z
      .object({
        port: port.default(8080),
        /** Kernels, initrds and other static assets. */
        root: z.string().default('./http'),
      })
      .strict()
      .default({ port: 8080, root: './http' }),
    boot: z
      .object({
        /** Sent to legacy BIOS PXE (arch 0). */
        bios: z.string().default('undionly.kpxe'),
        /** Sent to UEFI x64 PXE (arch 7, 9): ipxe.efi or snponly.efi. */
        uefi: z.string().default('ipxe.efi'),
        uefiIa32: z.string().nullable().default(null),
        /** Sent to UEFI ARM64 PXE (arch 11); Debian ships none, so off unless set. */
        arm64: z.string().nullable().default(null),
        /** Profile for machines with no entry of their own. */
        defaultProfile: z.string().default('default'),
        /**
         * PXE boot menu (dnsmasq's pxe-service / pxe-prompt) for PXE firmware that is not iPXE, in proxy
         * mode: items for the client's architecture are shown; an architecture with no item boots as usual.
         */
        menu: pxeMenuSchema.optional(),
      })
      .strict()
      .default({ bios: 'undionly.kpxe', uefi: 'ipxe.efi', uefiIa32: null, arm64: null, defaultProfile: 'default' }),
    profiles: z.record(z.string(), profileSchema).default({}),
    machines: z.array(machineSchema).default([]),
    groups: z.record(fleetObjectName, groupSchema).default({}),
    /**
     * A folder of YAML files (`*.yaml`, `*.yml`, read in name order, not recursive), each with any of
     * `profiles`, `groups`, `machines` in the shapes above: declared like the ones in this file.
     */
    fleetDir: z.string().min(1).optional(),
    api: apiSchema.default({ enabled: true, address: '127.0.0.1', port: 8081, tokens: [] }),
    /**
     * Where leases and the fleet live. Absent or `sqlite`: `<dataDir>/bootfleet.db`. A
     * `postgres://user@host/db` URL (`?host=/run/postgresql` for a Unix socket): PostgreSQL, shared
     * by several bootfleet servers; allocation stays conflict-free through the database's constraints.
     */
    store: z
      .union([
        z.literal('sqlite'),
        z.string().regex(/^postgres(ql)?:\/\/\S*$/i, 'a URL like postgres://bootfleet@db.example/bootfleet'),
      ])
      .optional(),
  })
  .strict();

export type BootfleetConfig = z.output<typeof configSchema>;
export type InterfaceConfig = z.output<typeof interfaceSchema>;
export type SubnetConfig = z.output<typeof subnetSchema>;
export type ProfileConfig = z.output<typeof profileSchema>;
export type PxelinuxEntryConfig = z.output<typeof pxelinuxEntrySchema>;
export type LinuxProfileConfig = z.output<typeof linuxProfileSchema>;
export type PxelinuxProfileConfig = z.output<typeof pxelinuxProfileSchema>;
export type ChainProfileConfig = z.output<typeof chainProfileSchema>;
export type SanbootProfileConfig = z.output<typeof sanbootProfileSchema>;
export type LocalProfileConfig = z.output<typeof localProfileSchema>;
export type DebianInstallerProfileConfig = z.output<typeof debianInstallerProfileSchema>;
export type CloudInitProfileConfig = z.output<typeof cloudInitProfileSchema>;
export type ReservationConfig = z.output<typeof reservationSchema>;
export type PoolConfig = z.output<typeof poolSchema>;
export type MachineConfig = z.output<typeof machineSchema>;
export type GroupConfig = z.output<typeof groupSchema>;
export type GroupSelectorConfig = z.output<typeof groupSelectorSchema>;
export type ApiConfig = z.output<typeof apiSchema>;
export type ApiTokenConfig = z.output<typeof apiTokenSchema>;
export type FirmwareName = (typeof firmwareNames)[number];
export type PxeMenuConfig = z.output<typeof pxeMenuSchema>;
export type PxeMenuItemConfig = z.output<typeof pxeMenuItemSchema>;
export type PxeCsaName = (typeof pxeCsaNames)[number];
