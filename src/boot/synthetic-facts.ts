import { ClientArch, type ClientFacts } from './client-facts.js';

export interface SyntheticFactsInput {
  mac: string;
  arch: number | null;
  ipxe: boolean;
  /** With `ipxe`: pretend the client is gPXE. */
  gpxe?: boolean;
  /** UEFI HTTP boot client (vendor class HTTPClient). */
  http?: boolean;
  /** An OS DHCP client rather than firmware. */
  os?: boolean;
}

/**
 * Facts as a given kind of client would send them, for `bootfleet explain` and tests:
 * the vendor class and iPXE features mirror what lab-notes.md recorded from real firmware.
 */
export function syntheticFacts(input: SyntheticFactsInput): ClientFacts {
  const arch = input.arch;
  const archText = String(arch ?? 0).padStart(5, '0');
  const http = input.http === true || arch === ClientArch.EfiX64Http || arch === ClientArch.EfiArm64Http;
  const efi = arch !== null && arch !== ClientArch.BiosX86;
  return {
    mac: input.mac.toLowerCase().replace(/-/g, ':'),
    arch,
    firmware: input.os ? 'os' : input.ipxe ? 'ipxe' : http ? 'uefi-http' : arch === null || arch === 0 ? 'bios-pxe' : 'uefi-pxe',
    ipxe: input.ipxe ? { http: true, https: false, efi, bzimage: true, codes: efi ? [19, 24, 36] : [19, 24] } : null,
    gpxe: input.ipxe && input.gpxe === true,
    uuid: null,
    vendorClass: input.os ? null : `${http ? 'HTTPClient' : 'PXEClient'}:Arch:${archText}:UNDI:003000`,
    userClass: input.ipxe ? (input.gpxe ? 'gPXE' : 'iPXE') : null,
    relay: null,
    relayAgent: null,
    hostname: null,
  };
}
