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

export const profileSchema = z
  .object({
    /** Kernel URL or a path under http.root (served by bootfleet). */
    kernel: scriptSafe.min(1),
    initrd: z.array(scriptSafe.min(1)).default([]),
    cmdline: scriptSafe.default(''),
  })
  .strict();

export const machineSchema = z
  .object({
    mac,
    profile: z.string().min(1),
    hostname: z.string().optional(),
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
      })
      .strict()
      .default({ port: 67, authoritative: true, subnets: [], reservations: [] }),
    tftp: z
      .object({
        enabled: z.boolean().default(true),
        port: port.default(69),
        /** Files served over TFTP; iPXE binaries are also looked up in ipxeDir. */
        root: z.string().default('./tftp'),
        ipxeDir: z.string().default('/usr/lib/ipxe'),
        maxBlksize: z.number().int().min(512).max(65464).default(65464),
        maxWindowsize: z.number().int().min(1).max(64).default(16),
        /** Seconds before a block is sent again (the client may ask for another with `timeout`). */
        timeout: z.number().int().min(1).max(255).default(2),
        retries: z.number().int().min(1).max(20).default(5),
      })
      .strict()
      .default({ enabled: true, port: 69, root: './tftp', ipxeDir: '/usr/lib/ipxe', maxBlksize: 65464, maxWindowsize: 16, timeout: 2, retries: 5 }),
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
      })
      .strict()
      .default({ bios: 'undionly.kpxe', uefi: 'ipxe.efi', uefiIa32: null, arm64: null, defaultProfile: 'default' }),
    profiles: z.record(z.string(), profileSchema).default({}),
    machines: z.array(machineSchema).default([]),
  })
  .strict();

export type BootfleetConfig = z.output<typeof configSchema>;
export type InterfaceConfig = z.output<typeof interfaceSchema>;
export type SubnetConfig = z.output<typeof subnetSchema>;
export type ProfileConfig = z.output<typeof profileSchema>;
export type ReservationConfig = z.output<typeof reservationSchema>;
export type PoolConfig = z.output<typeof poolSchema>;
export type MachineConfig = z.output<typeof machineSchema>;
