/**
 * PXE boot menus (PXE 2.1 §2.4.1, what dnsmasq's `pxe-service` / `pxe-prompt` give): which items a
 * client sees, how they become option 43 sub-options, and which BootPlan a chosen item means.
 * Pure: `decide()` calls `pxeMenuFor`; the proxy responder calls `planForMenuSelection` when a
 * client comes back with the item it chose (option 43.71 in a boot server REQUEST).
 */
import { pxeCsaArches, type BootfleetConfig, type PxeMenuItemConfig } from '../config/schema.js';
import {
  PXE_DISCOVERY_NO_BROADCAST,
  PXE_DISCOVERY_NO_MULTICAST,
  type PxeVendorOptions,
} from '../wire/dhcp/pxe-options.js';
import type { BootPlan } from './boot-plan.js';
import { ClientArch, type ClientFacts } from './client-facts.js';

/**
 * Boot server type 0 in a menu means "leave network boot and boot from local media": EDK2's
 * PxeBcDiscoverBootFile aborts on it, and dnsmasq gives it to a pxe-service with no file.
 */
export const PXE_TYPE_LOCAL = 0;
/**
 * Item i of `boot.menu.items` is boot server type 0x8000 + i: PXE 2.1 reserves 32768–65534 for
 * vendor use, so no standard server type is claimed, and the number stays the same between the
 * offer that shows the menu and the REQUEST that names the chosen item, as long as the config does.
 */
export const PXE_TYPE_VENDOR_BASE = 0x8000;

/** A menu item as the client sees it. */
export interface PxeMenuEntry {
  /** Boot server type the client sends back in option 43.71. */
  type: number;
  label: string;
  /** What choosing the item does. */
  target: { kind: 'local' } | { kind: 'file'; file: string };
}

/** The menu for one client: its architecture's items in config order, and the prompt. */
export interface PxeMenu {
  /** PXE_MENU_PROMPT: timeout 0 boots the first item at once, 255 shows the menu and waits. */
  prompt: { text: string; timeout: number };
  entries: PxeMenuEntry[];
}

function matches(item: PxeMenuItemConfig, arch: number): boolean {
  return pxeCsaArches[item.csa].includes(arch);
}

function targetOf(item: PxeMenuItemConfig): PxeMenuEntry['target'] {
  return item.plan === 'local' ? { kind: 'local' } : { kind: 'file', file: item.plan };
}

/**
 * The menu a PXE client of `arch` sees, or null when `boot.menu` has no item for it (the
 * client then boots as it would without a menu). A client without option 93 is BIOS (PXE 2.1).
 */
export function pxeMenuFor(arch: number | null, config: BootfleetConfig): PxeMenu | null {
  const menu = config.boot.menu;
  if (menu === undefined) return null;
  const a = arch ?? ClientArch.BiosX86;
  const entries: PxeMenuEntry[] = [];
  menu.items.forEach((item, i) => {
    if (!matches(item, a)) return;
    const target = targetOf(item);
    entries.push({ type: target.kind === 'local' ? PXE_TYPE_LOCAL : PXE_TYPE_VENDOR_BASE + i, label: item.label, target });
  });
  if (entries.length === 0) return null;
  // Without a configured prompt, do what dnsmasq does: one item boots at once, several wait
  // for a choice.
  const prompt = menu.prompt ?? { text: 'PXE', timeout: entries.length > 1 ? 255 : 0 };
  return { prompt: { text: prompt.text, timeout: prompt.timeout }, entries };
}

/**
 * Option 43 for a menu: the items (43.9), the prompt (43.10), a boot server list (43.8) naming
 * `bootServer` for every item that boots a file, and discovery control (43.6) with broadcast and
 * multicast discovery off, so the client unicasts its choice to `bootServer`:4011 and no other
 * boot server on the LAN is asked. EDK2 (PxeBcExtractDiscoverInfo) refuses a chosen type that a
 * present 43.8 does not list, so every file item is listed.
 */
export function pxeMenuVendorOptions(menu: PxeMenu, bootServer: string): PxeVendorOptions {
  const servers = menu.entries.filter((e) => e.target.kind === 'file').map((e) => ({ type: e.type, ips: [bootServer] }));
  const out: PxeVendorOptions = {
    discoveryControl: PXE_DISCOVERY_NO_BROADCAST | PXE_DISCOVERY_NO_MULTICAST,
    menu: menu.entries.map((e) => ({ type: e.type, description: e.label })),
    prompt: menu.prompt,
  };
  if (servers.length > 0) out.bootServers = servers;
  return out;
}

/**
 * What a client that chose menu item `type` boots. Only PXE firmware that is not iPXE sees
 * menus; anything else, a type no item of the client's architecture has, or the local-boot
 * type (a client never asks a server for it) gets `ignore`.
 */
export function planForMenuSelection(facts: ClientFacts, type: number, config: BootfleetConfig): BootPlan {
  if (facts.firmware !== 'bios-pxe' && facts.firmware !== 'uefi-pxe') {
    return { kind: 'ignore', reason: `boot item ${type} from a ${facts.firmware} client: menus are only for PXE firmware` };
  }
  const index = type - PXE_TYPE_VENDOR_BASE;
  const item = config.boot.menu?.items[index];
  const arch = facts.arch ?? ClientArch.BiosX86;
  if (type === PXE_TYPE_LOCAL || item === undefined || !matches(item, arch)) {
    return { kind: 'ignore', reason: `boot item ${type}: no boot.menu item of that type for arch ${arch}` };
  }
  const target = targetOf(item);
  if (target.kind === 'local') return { kind: 'ignore', reason: `boot item ${type} ("${item.label}") is local boot` };
  return { kind: 'chainload-tftp', file: target.file, reason: `PXE menu item "${item.label}" (type ${type}, boot.menu.items[${index}]): chainload ${target.file}` };
}
