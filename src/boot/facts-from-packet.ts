import type { DhcpPacket } from '../wire/dhcp/packet.js';
import {
  decodeSubOptions,
  getClientArch,
  getString,
  getUserClasses,
  getUuid,
  macOf,
} from '../wire/dhcp/options.js';
import { ClientArch, type ClientFacts, type FirmwareFamily, type IpxeFeatures } from './client-facts.js';

/** iPXE feature flags inside option 175 (iPXE's "Feature indicators" in include/ipxe/dhcp.h). */
const IPXE_FEATURE = { http: 19, https: 20, bzimage: 24, efi: 36 } as const;

/**
 * Reads a decoded DHCP request into the facts the boot decision uses. Only what the client
 * sent counts: option 93 for arch, 60 for the PXE/HTTP vendor class, 175 and 77 for iPXE.
 */
export function factsFromPacket(p: DhcpPacket): ClientFacts {
  const opts = p.options;
  const vendorClass = getString(opts, 60);
  const userClasses = getUserClasses(opts);
  const arch = getClientArch(opts);
  const encap = opts.get(175);
  const gpxe = userClasses.includes('gPXE');
  const isIpxe = encap !== undefined || gpxe || userClasses.includes('iPXE');

  let ipxe: IpxeFeatures | null = null;
  if (isIpxe) {
    const sub = encap ? decodeSubOptions(encap) : null;
    const has = (code: number): boolean => sub?.has(code) === true;
    ipxe = {
      // An iPXE that sends no 175 (user class only) is assumed to have HTTP: every build
      // since 2010 enables it by default, and without 175 we cannot know otherwise.
      http: sub ? has(IPXE_FEATURE.http) : true,
      https: has(IPXE_FEATURE.https),
      efi: has(IPXE_FEATURE.efi),
      bzimage: has(IPXE_FEATURE.bzimage),
      codes: sub ? [...sub.keys()].sort((a, b) => a - b) : [],
    };
  }

  const relay = p.giaddr !== '0.0.0.0' ? p.giaddr : null;
  const agent = opts.get(82);
  const agentSub = agent ? decodeSubOptions(agent) : null;

  return {
    mac: macOf(p),
    arch,
    firmware: firmwareOf(isIpxe, vendorClass, arch),
    ipxe,
    gpxe,
    uuid: getUuid(opts),
    vendorClass,
    userClass: userClasses.length > 0 ? userClasses.join(',') : null,
    relay,
    relayAgent: agentSub
      ? { circuitId: agentSub.get(1)?.toString('hex') ?? null, remoteId: agentSub.get(2)?.toString('hex') ?? null }
      : null,
    hostname: getString(opts, 12),
  };
}

function firmwareOf(isIpxe: boolean, vendorClass: string | null, arch: number | null): FirmwareFamily {
  if (isIpxe) return 'ipxe';
  if (vendorClass?.startsWith('HTTPClient') || arch === ClientArch.EfiX64Http || arch === ClientArch.EfiArm64Http) {
    return 'uefi-http';
  }
  if (vendorClass?.startsWith('PXEClient')) {
    // Very old BIOS PXE ROMs omit option 93; PXE 2.1 says arch 0 is implied then.
    return arch === null || arch === ClientArch.BiosX86 ? 'bios-pxe' : 'uefi-pxe';
  }
  return 'os';
}
