/**
 * Router Discovery messages of IPv6 Neighbor Discovery (RFC 4861 §4.1, §4.2) as typed
 * values. Only the two messages bootfleet reads and writes are modelled; options are kept
 * losslessly (type → body bytes) with typed views in `options.ts`.
 */

/** ICMPv6 message types (RFC 4861 §4). */
export const NdpType = {
  RouterSolicitation: 133,
  RouterAdvertisement: 134,
} as const;

/** Router Advertisement flag bits (RFC 4861 §4.2; H RFC 6275, Prf RFC 4191, P RFC 4389). */
export const RaFlag = {
  /** M: addresses are available from DHCPv6. */
  Managed: 0x80,
  /** O: other configuration is available from DHCPv6. */
  Other: 0x40,
  HomeAgent: 0x20,
  /** Two-bit default router preference (RFC 4191 §2.2). */
  PreferenceMask: 0x18,
  Proxy: 0x04,
} as const;

/** Fixed header sizes: type, code, checksum, then 4 (RS) or 12 (RA) bytes. */
export const NDP_HEADER_SIZE = { rs: 8, ra: 16 } as const;

/** Largest ICMPv6 message decoded: an IPv6 payload without a jumbogram is at most 65535 bytes. */
export const NDP_MAX_DECODE_SIZE = 65535;

/**
 * One option (RFC 4861 §4.6): `body` is everything after the type and length bytes,
 * padding included, so its length is `8 * length - 2`.
 */
export interface NdpOption {
  type: number;
  body: Uint8Array;
}

/** RFC 4861 §4.1. The reserved field is ignored on receipt and sent as zero. */
export interface RouterSolicitation {
  type: typeof NdpType.RouterSolicitation;
  options: NdpOption[];
}

/** RFC 4861 §4.2. Zero in curHopLimit, reachableTime and retransTimer means "unspecified". */
export interface RouterAdvertisement {
  type: typeof NdpType.RouterAdvertisement;
  curHopLimit: number;
  /** The flags byte as sent (see {@link RaFlag}). */
  flags: number;
  /** Seconds this router may be a default router; 0 = not a default router (§6.3.4). */
  routerLifetime: number;
  /** Milliseconds. */
  reachableTime: number;
  /** Milliseconds. */
  retransTimer: number;
  options: NdpOption[];
}

export type NdpMessage = RouterSolicitation | RouterAdvertisement;
