/**
 * The seam between the DHCP state machines and the boot policy. The full-mode and proxy-mode
 * responders own the protocol (which messages are answered, addresses, leases, where replies
 * go, proxy safety); a ReplyPolicy owns the boot decision: whether a request is answered at
 * all and what boot fields (siaddr, sname, file) and boot options the reply carries.
 *
 * Two policies exist, each in one place: bootfleet's own (`native-policy.ts`: `boot/decide.ts`
 * and `boot-options.ts`) and dnsmasq's (`dnsmasq/dnsmasq-policy.ts`: the tag engine and
 * option selection checked against dnsmasq 2.90). Address choice stays the responder's
 * (`pool.ts` + LeaseStore); a policy may only narrow it (`AddressRules`).
 */
import type { ClientFacts } from '../boot/client-facts.js';
import type { PoolConfig, ReservationConfig } from '../config/schema.js';
import type { DhcpPacket, MessageType } from '../wire/dhcp/packet.js';
import type { PxeBootItem } from '../wire/dhcp/pxe-options.js';
import type { ReceivingInterface } from './full-mode.js';
import type { RequestRouting } from './request-route.js';
import type { ProxyPortKind } from './proxy-mode.js';

/** One full-mode request as a policy sees it. */
export interface FullModeRequest {
  packet: DhcpPacket;
  facts: ClientFacts;
  iface: ReceivingInterface;
}

/**
 * Narrower address rules than the subnet's config (dnsmasq: dhcp-range tag filters, dhcp-host
 * addresses, per-range lease times). The responder still picks the address (lowest free, after
 * the client's reservation, previous and requested address).
 */
export interface AddressRules {
  /**
   * Pools tried in order for a new address; the first with a free address wins. Every pool
   * listed is allowed for the client's previous or requested address.
   */
  poolGroups: readonly (readonly PoolConfig[])[];
  /** This client's fixed address, replacing the config's reservations for it. */
  reservation: ReservationConfig | null;
  /**
   * When `reservation`'s address is held by another client's unexpired lease, allocate from the
   * pools as for a client without one (dnsmasq: "not using configured address … because it is
   * leased to …") instead of offering nothing. Default false (bootfleet: the reservation waits).
   */
  reservationYieldsToLease?: boolean;
  /** Fixed addresses of other clients: never given to this one. */
  reservedForOthers: readonly string[];
  /** Lease length for `address`, or null for the subnet's. */
  leaseSeconds(address: string): number | null;
}

export type FullModeVerdict =
  /** Say nothing at all (no address either). */
  | { kind: 'ignore'; reason: string }
  | {
      kind: 'answer';
      /** Short name of what the client gets, for events (`chainload-tftp`, `dnsmasq`, …). */
      label: string;
      reason: string;
      /** Null: the subnet's pools, the config's reservations and lease time. */
      addressRules: AddressRules | null;
      /**
       * Writes siaddr, sname, file and boot options into an OFFER/ACK for `address`, after the
       * lease and network options are in (it may replace those it owns) and before option 82.
       */
      apply(reply: DhcpPacket, address: string): void;
    };

/** One proxyDHCP request as a policy sees it; the responder already decided it is answerable. */
export interface ProxyModeRequest {
  packet: DhcpPacket;
  type: MessageType;
  facts: ClientFacts;
  iface: ReceivingInterface;
  /** The socket it came in on: port 67 (`dhcp`) or the PXE port 4011 (`pxe`). */
  via: ProxyPortKind;
  /** PXE option 43.71 (a boot server request), or null. Type 0 counts as none. */
  item: PxeBootItem | null;
  /** The raw 43.71 even when its type is 0 (dnsmasq answers none of those). */
  rawItem: PxeBootItem | null;
}

export type ProxyModeVerdict =
  | { kind: 'ignore'; reason: string }
  | {
      kind: 'answer';
      label: string;
      reason: string;
      /** Writes options 60 and 97, siaddr, sname, file and option 43 into the OFFER/ACK. */
      apply(reply: DhcpPacket): void;
    };

/** A boot policy: one per server, shared by its full-mode and proxy-mode responders. */
export interface ReplyPolicy {
  /** `native` or `dnsmasq`, for events and `describe()`. */
  readonly name: string;
  /**
   * How requests reach the responders (`request-route.ts`); default `socket`: each socket's own.
   * dnsmasq's policy asks for `dnsmasq` (the range the request's subnet selects decides).
   */
  readonly routing?: RequestRouting;
  full(req: FullModeRequest): FullModeVerdict;
  proxy(req: ProxyModeRequest): ProxyModeVerdict;
}
