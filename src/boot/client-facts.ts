/**
 * What a DHCP request says about the machine asking, in the terms the boot decision
 * needs. Built from a decoded packet by `facts-from-packet.ts`; never guessed.
 */

/** RFC 4578 §2.1 / IANA "Processor Architecture Types" (option 93). */
export enum ClientArch {
  BiosX86 = 0,
  EfiIa32 = 6,
  EfiX64 = 7,
  EfiBc = 9,
  EfiArm32 = 10,
  EfiArm64 = 11,
  EfiX64Http = 16,
  EfiArm64Http = 19,
}

export type FirmwareFamily =
  /** Legacy BIOS PXE ROM (arch 0) that is not iPXE. */
  | 'bios-pxe'
  /** UEFI PXE (EDK2 PxeBcDxe and others). */
  | 'uefi-pxe'
  /** UEFI HTTP boot (arch 16/19, vendor class HTTPClient). */
  | 'uefi-http'
  /** iPXE (or gPXE), whatever firmware it runs on. */
  | 'ipxe'
  /** Not a network-boot client: an OS DHCP client (udhcpc, dhclient, systemd-networkd). */
  | 'os';

export interface IpxeFeatures {
  http: boolean;
  https: boolean;
  /** 175.36: this iPXE runs as an EFI application. */
  efi: boolean;
  bzimage: boolean;
  /** Every 175 sub-option code sent, for explain output. */
  codes: number[];
}

export interface ClientFacts {
  mac: string;
  /** Option 93, or null when not sent (an OS client, or very old PXE). */
  arch: number | null;
  firmware: FirmwareFamily;
  /** Set when the client is iPXE/gPXE (option 175 present or user class `iPXE`/`gPXE`). */
  ipxe: IpxeFeatures | null;
  /** True for gPXE (user class `gPXE`): never overload options for it. */
  gpxe: boolean;
  /** Option 97 as a lower-case RFC 4122 string, or null (absent, or all zeros). */
  uuid: string | null;
  vendorClass: string | null;
  userClass: string | null;
  /** giaddr when relayed, else null. */
  relay: string | null;
  /** Option 82 circuit-id / remote-id, hex, when a relay added them. */
  relayAgent: { circuitId: string | null; remoteId: string | null } | null;
  hostname: string | null;
}
