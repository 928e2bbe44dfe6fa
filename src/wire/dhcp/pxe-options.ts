/**
 * PXE option 43 content (PXE 2.1 specification §2.4.1, Table 2-1): what a proxyDHCP or boot
 * server puts in its vendor options for a `PXEClient`. A PXE ROM reads each sub-option as one
 * TLV and does not join repeats, so every sub-option must fit in 255 bytes.
 */
import { decodeText } from './text.js';
import { formatIpv4, writeIpv4 } from './ipv4.js';
import { decodeSubOptions, encodeSubOptions } from './options.js';

export const PXE_DISCOVERY_CONTROL = 6;
export const PXE_BOOT_SERVERS = 8;
export const PXE_BOOT_MENU = 9;
export const PXE_MENU_PROMPT = 10;
export const PXE_BOOT_ITEM = 71;

/** PXE_DISCOVERY_CONTROL bits. */
export const PXE_DISCOVERY_NO_BROADCAST = 1;
export const PXE_DISCOVERY_NO_MULTICAST = 2;
/** Accept only servers listed in PXE_BOOT_SERVERS. */
export const PXE_DISCOVERY_ONLY_LISTED = 4;
/** Skip discovery and boot the file in the offer when there is one. */
export const PXE_DISCOVERY_USE_BOOTFILE = 8;

export interface PxeBootServer { type: number; ips: string[] }
export interface PxeMenuItem { type: number; description: string }
/** timeout: 0 boots the first item at once, 255 shows the menu with no timeout, else seconds to wait for F8. */
export interface PxeMenuPrompt { timeout: number; text: string }
export interface PxeBootItem { type: number; layer: number }

/** The option 43 sub-options bootfleet builds; absent fields are left out. */
export interface PxeVendorOptions {
  discoveryControl?: number;
  bootServers?: PxeBootServer[];
  menu?: PxeMenuItem[];
  prompt?: PxeMenuPrompt;
  bootItem?: PxeBootItem;
}

function u16(value: number, what: string): Buffer {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff) throw new RangeError(`${what}: ${value} is not 0..65535`);
  const b = Buffer.alloc(2);
  b.writeUInt16BE(value, 0);
  return b;
}

function u8(value: number, what: string): Buffer {
  if (!Number.isInteger(value) || value < 0 || value > 0xff) throw new RangeError(`${what}: ${value} is not 0..255`);
  return Buffer.of(value);
}

function fit(code: number, value: Buffer): Buffer {
  if (value.length > 255) throw new RangeError(`PXE sub-option ${code} is ${value.length} bytes; PXE ROMs read at most 255`);
  return value;
}

/**
 * Build option 43's value, sub-options in the order PXE ROMs are tested with (6, 8, 9, 10, 71),
 * ended by 255 as the PXE spec requires.
 * @throws RangeError on out-of-range numbers, bad addresses, or a sub-option over 255 bytes.
 */
export function encodePxeVendorOptions(o: PxeVendorOptions): Buffer {
  const map = new Map<number, Buffer>();
  if (o.discoveryControl !== undefined) map.set(PXE_DISCOVERY_CONTROL, u8(o.discoveryControl, 'discoveryControl'));
  if (o.bootServers !== undefined) {
    const parts: Buffer[] = [];
    for (const s of o.bootServers) {
      const ips = Buffer.alloc(4 * s.ips.length);
      s.ips.forEach((ip, i) => writeIpv4(ip, ips, 4 * i));
      parts.push(u16(s.type, 'boot server type'), u8(s.ips.length, 'boot server address count'), ips);
    }
    map.set(PXE_BOOT_SERVERS, fit(PXE_BOOT_SERVERS, Buffer.concat(parts)));
  }
  if (o.menu !== undefined) {
    const parts: Buffer[] = [];
    for (const item of o.menu) {
      const desc = Buffer.from(item.description, 'utf8');
      parts.push(u16(item.type, 'menu item type'), u8(desc.length, 'menu description length'), desc);
    }
    map.set(PXE_BOOT_MENU, fit(PXE_BOOT_MENU, Buffer.concat(parts)));
  }
  if (o.prompt !== undefined) {
    map.set(PXE_MENU_PROMPT, fit(PXE_MENU_PROMPT, Buffer.concat([u8(o.prompt.timeout, 'prompt timeout'), Buffer.from(o.prompt.text, 'utf8')])));
  }
  if (o.bootItem !== undefined) {
    map.set(PXE_BOOT_ITEM, Buffer.concat([u16(o.bootItem.type, 'boot item type'), u16(o.bootItem.layer, 'boot item layer')]));
  }
  return encodeSubOptions(map, { end: true });
}

/** PXE_BOOT_SERVERS entries, or null when the entries do not tile the value exactly. */
export function parsePxeBootServers(v: Buffer): PxeBootServer[] | null {
  const out: PxeBootServer[] = [];
  let i = 0;
  while (i < v.length) {
    if (i + 3 > v.length) return null;
    const type = v.readUInt16BE(i);
    const count = v[i + 2] as number;
    if (i + 3 + 4 * count > v.length) return null;
    const ips: string[] = [];
    for (let k = 0; k < count; k++) ips.push(formatIpv4(v, i + 3 + 4 * k));
    out.push({ type, ips });
    i += 3 + 4 * count;
  }
  return out;
}

/** PXE_BOOT_MENU entries, or null when the entries do not tile the value exactly. */
export function parsePxeBootMenu(v: Buffer): PxeMenuItem[] | null {
  const out: PxeMenuItem[] = [];
  let i = 0;
  while (i < v.length) {
    if (i + 3 > v.length) return null;
    const type = v.readUInt16BE(i);
    const len = v[i + 2] as number;
    if (i + 3 + len > v.length) return null;
    out.push({ type, description: decodeText(v, i + 3, i + 3 + len) });
    i += 3 + len;
  }
  return out;
}

/** PXE_MENU_PROMPT, or null when empty. */
export function parsePxeMenuPrompt(v: Buffer): PxeMenuPrompt | null {
  return v.length < 1 ? null : { timeout: v[0] as number, text: decodeText(v, 1, v.length) };
}

/** PXE_BOOT_ITEM, or null when not exactly 4 bytes. */
export function parsePxeBootItem(v: Buffer): PxeBootItem | null {
  return v.length !== 4 ? null : { type: v.readUInt16BE(0), layer: v.readUInt16BE(2) };
}

/**
 * Read option 43's value back into PxeVendorOptions (unknown sub-options are skipped).
 * Null when the TLVs or a known sub-option are malformed.
 */
export function decodePxeVendorOptions(buf: Buffer): PxeVendorOptions | null {
  const subs = decodeSubOptions(buf);
  if (subs === null) return null;
  const out: PxeVendorOptions = {};
  const dc = subs.get(PXE_DISCOVERY_CONTROL);
  if (dc !== undefined) {
    if (dc.length !== 1) return null;
    out.discoveryControl = dc[0] as number;
  }
  const servers = subs.get(PXE_BOOT_SERVERS);
  if (servers !== undefined) {
    const v = parsePxeBootServers(servers);
    if (v === null) return null;
    out.bootServers = v;
  }
  const menu = subs.get(PXE_BOOT_MENU);
  if (menu !== undefined) {
    const v = parsePxeBootMenu(menu);
    if (v === null) return null;
    out.menu = v;
  }
  const prompt = subs.get(PXE_MENU_PROMPT);
  if (prompt !== undefined) {
    const v = parsePxeMenuPrompt(prompt);
    if (v === null) return null;
    out.prompt = v;
  }
  const item = subs.get(PXE_BOOT_ITEM);
  if (item !== undefined) {
    const v = parsePxeBootItem(item);
    if (v === null) return null;
    out.bootItem = v;
  }
  return out;
}
