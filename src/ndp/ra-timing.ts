/**
 * How long the responder waits, listens and remembers. Defaults come from RFC 4861 §10
 * constants; each says why it keeps bootfleet out of a real router's way
 * (docs/adr/0005-ipv6-ra.md).
 */
export interface RaTiming {
  /**
   * Wait after a client's first solicitation before answering it. A router answers a
   * solicitation within MAX_RA_DELAY_TIME (0.5 s, RFC 4861 §6.2.6), so its advertisement
   * reaches iPXE first, and iPXE takes only the first one (src/net/ndp.c,
   * ipv6conf_rx_router_advertisement); if that answer is multicast we see it and stay silent.
   */
  holdoffMs: number;
  /**
   * After our first router solicitation went out, listen this long before answering anyone:
   * routers answer it within MIN_DELAY_BETWEEN_RAS + MAX_RA_DELAY_TIME (3.5 s, §6.2.6).
   */
  startupQuietMs: number;
  /** Upper bound of the random delay before our first solicitation (MAX_RTR_SOLICITATION_DELAY, §6.3.7). */
  probeDelayMs: number;
  /** Solicitations we send at start (MAX_RTR_SOLICITATIONS = 3, §6.3.7) … */
  probeCount: number;
  /** … this far apart (RTR_SOLICITATION_INTERVAL = 4 s, §6.3.7). */
  probeIntervalMs: number;
  /** Retry when a solicitation cannot leave yet (link-local address still tentative). */
  probeRetryMs: number;
  /** Attempts before giving up on an interface that cannot send at all. */
  probeMaxAttempts: number;
  /**
   * How long a router's advertisement keeps us silent on that interface: twice the longest
   * interval a router may leave between unsolicited advertisements (MaxRtrAdvInterval ≤ 1800 s,
   * §6.2.1), so a router that is still there keeps us silent for good.
   */
  routerMemoryMs: number;
  /** A solicitation waits at most this long for its client to be seen as iPXE in DHCP. */
  pendingMaxMs: number;
  /**
   * An iPXE DHCP exchange this long before a solicitation still counts: iPXE runs DHCP and
   * IPv6 configuration side by side (src/usr/ifmgmt.c, ifconf).
   */
  sightingWindowMs: number;
  /** DHCP offers and acks within this span belong to one exchange (answered once). */
  exchangeSpanMs: number;
}

export const DEFAULT_RA_TIMING: Readonly<RaTiming> = Object.freeze({
  holdoffMs: 1000,
  startupQuietMs: 4000,
  probeDelayMs: 1000,
  probeCount: 3,
  probeIntervalMs: 4000,
  probeRetryMs: 1000,
  probeMaxAttempts: 120,
  routerMemoryMs: 3_600_000,
  pendingMaxMs: 15_000,
  sightingWindowMs: 30_000,
  exchangeSpanMs: 60_000,
});
