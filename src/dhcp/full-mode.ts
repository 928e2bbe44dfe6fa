/**
 * The full-mode DHCP server's state machine (RFC 2131 §4.3): one decoded request in, at
 * most one reply out. It owns no socket; `server.ts` does the I/O. Address choice is
 * in `pool.ts` (narrowed by the policy's AddressRules, if any), the boot policy behind the
 * ReplyPolicy seam (`reply-policy.ts`; bootfleet's own in `native-policy.ts`), persistence
 * behind `LeaseStore`.
 */
import type { BootfleetConfig } from '../config/schema.js';
import type { EventSink } from '../events/boot-event.js';
import type { ClaimResult, LeaseStore } from '../store/lease-store.js';
import type { ClientFacts } from '../boot/client-facts.js';
import { factsFromPacket } from '../boot/facts-from-packet.js';
import type { EncodeOptions } from '../wire/dhcp/codec.js';
import { MessageType, FLAG_BROADCAST, type DhcpPacket } from '../wire/dhcp/packet.js';
import { getIp, getMaxMessageSize, macOf } from '../wire/dhcp/options.js';
import { clientKey } from './client-key.js';
import { chooseUnderRules, judgeUnderRules, reservationUnderRules } from './constrained-pool.js';
import { contains, isUnset } from './ipv4-math.js';
import { nativeReplyPolicy, type PlanFunction } from './native-policy.js';
import { reservationFor, subnetContaining, subnetsOf, type PoolQuery, type Subnet } from './pool.js';
import type { FullModeVerdict, ReplyPolicy } from './reply-policy.js';
import type { ConflictGuard } from './conflict-guard.js';
import { InFlightOffers } from './in-flight-offers.js';
import { addLeaseTimes, addMessage, addNetworkOptions, baseReply, echoRelayAgent } from './reply-builder.js';
import { replyDestination, type Destination } from './reply-address.js';
import { echoSubnetSelection, selectionAddress } from './subnet-selection.js';
import { AddressTexts } from './address-texts.js';
import type { DhcpDropCode } from './screen.js';

const OPTION_REQUESTED_IP = 50;
const OPTION_SERVER_ID = 54;
/** RFC 2131 §2: every client accepts 576-byte messages. */
const MIN_MESSAGE = 576;
/** An Ethernet frame's UDP payload: option 57 of 65280 (EDK2) is a buffer size, not an MTU. */
const MAX_MESSAGE = 1500 - 20 - 8;
/** A claim that loses a race (another server, same database) is retried with a fresh snapshot. */
const CLAIM_ATTEMPTS = 3;

/** The interface a request arrived on. */
export interface ReceivingInterface {
  name: string;
  /** Our address there: the server identifier (option 54). */
  address: string;
  netmask: string;
  /** Address clients fetch boot files from; default `address`. */
  serverAddress?: string;
  /** A proxyDHCP server answers on this segment (config `interfaces[].proxyPresent`): iPXE must wait for it. */
  proxyPresent?: boolean;
}

export interface FullModeOptions {
  config: BootfleetConfig;
  store: LeaseStore;
  events: EventSink;
  /** Addresses of every interface we answer on: never handed out, and used to spot renewals from behind a relay. */
  localAddresses: readonly string[];
  /** How long an OFFER holds its address. Default 60 s (EDK2 under emulation can be slow to REQUEST). */
  offerHoldSeconds?: number;
  /** How long a DECLINEd address is kept from everyone. Default 600 s. */
  declineSeconds?: number;
  /** Milliseconds since the epoch; injectable for tests. */
  now?: () => number;
  /** Boot plans for the native policy; default `decide()` in full mode. Injectable for tests. */
  plan?: PlanFunction;
  /** The boot policy; default bootfleet's own over `config` (with `plan`). */
  policy?: ReplyPolicy;
  /** Address conflict detection (`conflict-detector.ts`, `dhcp.conflictDetection`); none: no probes. */
  conflictGuard?: ConflictGuard;
}

export interface DhcpReply {
  packet: DhcpPacket;
  to: Destination;
  encode: EncodeOptions;
}

export type FullModeOutcome =
  | { kind: 'reply'; reply: DhcpReply }
  /** Handled, and RFC 2131 says nothing goes back (RELEASE, DECLINE, another server chosen, …). */
  | { kind: 'silent' }
  | { kind: 'drop'; code: DhcpDropCode };

const REQUEST_STATES = ['selecting', 'init-reboot', 'renewing'] as const;
type RequestState = (typeof REQUEST_STATES)[number];
/** Lease lengths whose ACK texts are kept (config gives one or a few; more are made each time). */
const ACK_TEXT_LEASES = 4;

export class FullModeResponder {
  private readonly subnets: Subnet[];
  private readonly now: () => number;
  private readonly offerHoldMs: number;
  private readonly declineMs: number;
  private readonly policy: ReplyPolicy;
  /** Addresses chosen for an OFFER whose claim is not committed yet (group commit). */
  private readonly offering = new InFlightOffers();
  /** The messages of the events every exchange emits, per address (`address-texts.ts`). */
  private readonly offerTexts = new AddressTexts((a) => `OFFER ${a}`);
  private readonly requestTexts = new AddressTexts((a, v) => `REQUEST ${a} (${REQUEST_STATES[v] ?? '?'})`, REQUEST_STATES.length);
  private readonly ackTexts = new Map<number, AddressTexts>();

  constructor(private readonly opts: FullModeOptions) {
    this.subnets = subnetsOf(opts.config.dhcp.subnets);
    this.now = opts.now ?? Date.now;
    this.offerHoldMs = (opts.offerHoldSeconds ?? 60) * 1000;
    this.declineMs = (opts.declineSeconds ?? 600) * 1000;
    this.policy = opts.policy ?? nativeReplyPolicy({ config: opts.config, ...(opts.plan !== undefined ? { fullPlan: opts.plan } : {}) });
  }

  /**
   * Handles one screened request (see `screen.ts`) that arrived on `iface`. Not an async
   * function itself: returning the handler's promise from one would wrap it in another and
   * cost two more microtask turns per request.
   */
  handle(req: DhcpPacket, type: MessageType, iface: ReceivingInterface): Promise<FullModeOutcome> {
    switch (type) {
      case MessageType.Discover:
        return this.discover(req, iface);
      case MessageType.Request:
        return this.request(req, iface);
      case MessageType.Decline:
        return this.decline(req, iface);
      case MessageType.Release:
        return this.release(req, iface);
      case MessageType.Inform:
        return this.inform(req, iface);
      default:
        return Promise.resolve(this.drop(req, 'DHCP_NOT_REQUEST', 'debug', `${MessageType[type] ?? type} is not a client message`));
    }
  }

  private async discover(req: DhcpPacket, iface: ReceivingInterface): Promise<FullModeOutcome> {
    const mac = macOf(req);
    const key = clientKey(req);
    const requested = getIp(req.options, OPTION_REQUESTED_IP);
    const facts = factsFromPacket(req);
    this.emit('dhcp.discover', 'info', mac, 'DISCOVER', {
      iface: iface.name,
      xid: hex(req.xid),
      relay: relayOf(req),
      requested,
      arch: facts.arch,
      firmware: facts.firmware,
      uuid: facts.uuid,
      hostname: facts.hostname,
    });
    const subnet = this.subnetFor(req, iface);
    if (!subnet) return this.drop(req, 'DHCP_NO_SUBNET', 'debug', `no subnet configured for ${relayOf(req) ?? iface.name}`);
    const verdict = this.policy.full({ packet: req, facts, iface });
    if (verdict.kind === 'ignore') return this.silent(mac, verdict.reason);

    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
      const leases = this.opts.store.viewNow?.() ?? (await this.opts.store.view());
      // The clock is read after the await, so the view's queries see it move forward only.
      const now = this.now();
      const record = leases.getByClient(key);
      // Choosing and marking the choice happen with no await between them, so concurrent
      // DISCOVERs (server.ts handles clients in parallel) pick different addresses.
      const q = this.query(subnet, key, mac, leases, now, iface);
      // Holds exist only while a claim is awaited: with holdNow() there are none to ask about.
      if (this.opts.store.holdNow === undefined) q.busy = (n) => this.offering.offeredToOther(n, key);
      const choice = chooseUnderRules(q, verdict.addressRules, record?.address ?? null, requested);
      if (!choice) {
        this.emit('dhcp.exhausted', 'warn', mac, `no free address in ${subnet.config.subnet}`, { subnet: subnet.config.subnet });
        return { kind: 'silent' };
      }
      const hold = {
        clientId: key,
        mac,
        address: choice.address,
        state: 'offered' as const,
        expiresAt: now + this.offerHoldMs,
        hostname: choice.reservation?.hostname ?? clientHostname(facts),
        now,
      };
      let claimed: ClaimResult;
      if (this.opts.store.holdNow !== undefined) {
        // Decided at once: nothing runs between the choice and the claim.
        claimed = this.opts.store.holdNow(hold);
      } else {
        const release = this.offering.hold(choice.address, key);
        try {
          claimed = await this.opts.store.claim(hold);
        } finally {
          release();
        }
      }
      if (!claimed.ok) continue;
      // --- conflict hook: a background recheck of the offered address; the OFFER never waits for it.
      this.opts.conflictGuard?.onOffer({ address: choice.address, mac, iface: iface.name, relayed: !isUnset(req.giaddr), reason: choice.reason });
      const reply = baseReply(req, MessageType.Offer, iface.address);
      reply.yiaddr = choice.address;
      this.fillLease(reply, req, subnet, choice.reservation?.hostname ?? null, verdict, leaseSecondsFor(verdict, subnet, choice.address));
      this.emit('dhcp.offer', 'info', mac, this.offerTexts.text(choice.address), {
        ip: choice.address,
        why: choice.reason,
        boot: verdict.label,
        reason: verdict.reason,
      });
      return this.reply(req, reply, MessageType.Offer, facts);
    }
    this.emit('dhcp.exhausted', 'warn', mac, `lost ${CLAIM_ATTEMPTS} races for an address in ${subnet.config.subnet}`, { subnet: subnet.config.subnet });
    return { kind: 'silent' };
  }

  /** RFC 2131 §4.3.2: which of SELECTING, INIT-REBOOT, RENEWING/REBINDING, and what to answer. */
  private async request(req: DhcpPacket, iface: ReceivingInterface): Promise<FullModeOutcome> {
    const mac = macOf(req);
    const key = clientKey(req);
    const serverId = getIp(req.options, OPTION_SERVER_ID);
    const requested = getIp(req.options, OPTION_REQUESTED_IP);
    const local = this.opts.store.viewNow?.();
    const record = local !== undefined ? local.getByClient(key) : await this.opts.store.getByClient(key);

    let state: RequestState;
    let address: string | null;
    if (serverId !== null) {
      state = 'selecting';
      if (serverId !== iface.address) {
        // The client took another server's offer: free the address we were holding for it.
        // With a shared store (several servers on one PostgreSQL) the hold may be the chosen
        // server's own offer of the requested address: leave that one, or it could be taken
        // before the chosen server ACKs and the client would be NAKed.
        if (record?.state === 'offered' && record.address !== requested) await this.opts.store.cancelOffer(key, record.address, this.now());
        this.emit('dhcp.request', 'info', mac, `REQUEST for server ${serverId}: not us`, { state, server: serverId, ip: requested });
        return { kind: 'silent' };
      }
      // RFC 2131 says ciaddr MUST be 0 in SELECTING; take it if a client puts the address there.
      address = requested ?? (isUnset(req.ciaddr) ? null : req.ciaddr);
    } else if (requested !== null && isUnset(req.ciaddr)) {
      state = 'init-reboot';
      address = requested;
    } else if (!isUnset(req.ciaddr)) {
      // RENEWING (unicast to us) and REBINDING (broadcast) look the same without IP_PKTINFO,
      // and RFC 2131 treats them alike but for where the reply goes, which ciaddr decides.
      state = 'renewing';
      address = req.ciaddr;
    } else {
      return this.drop(req, 'DHCP_BAD_REQUEST', 'info', 'REQUEST with neither server identifier, requested address nor ciaddr');
    }
    if (address === null) return this.drop(req, 'DHCP_BAD_REQUEST', 'info', 'REQUEST (selecting) without a requested address');
    const facts = factsFromPacket(req);
    this.emit('dhcp.request', 'info', mac, this.requestTexts.text(address, REQUEST_STATES.indexOf(state)), {
      state,
      ip: address,
      iface: iface.name,
      relay: relayOf(req),
      arch: facts.arch,
      firmware: facts.firmware,
      uuid: facts.uuid,
      hostname: facts.hostname,
    });

    const subnet = this.subnetFor(req, iface);
    const authoritative = this.opts.config.dhcp.authoritative;
    // RFC 2131 §4.3.2: a server that knows nothing of the client stays silent, so that
    // another server that does know it can answer. An authoritative server owns the
    // segment and NAKs whatever it will not ACK.
    const mayNak = state === 'selecting' || authoritative || record !== null;
    if (!subnet) {
      if (state === 'selecting') return this.nak(req, iface, `no subnet for this segment any more`);
      return this.drop(req, 'DHCP_NO_SUBNET', 'debug', `no subnet configured for ${relayOf(req) ?? iface.name}`);
    }
    const verdict = this.policy.full({ packet: req, facts, iface });
    if (verdict.kind === 'ignore') return this.silent(mac, verdict.reason);

    // No await since `local` was taken (the store's copy is valid until one): it is still the view.
    const leases = local ?? (await this.opts.store.view());
    const now = this.now();
    const q = this.query(subnet, key, mac, leases, now, iface);
    const judged = judgeUnderRules(q, verdict.addressRules, address);
    if (judged !== 'ok') {
      return mayNak ? this.nak(req, iface, `${address}: ${judged}`) : this.silent(mac, `${address}: ${judged}; client unknown and not authoritative`);
    }
    if (!authoritative && state !== 'selecting' && record?.address !== address) {
      return record === null ? this.silent(mac, 'client unknown and not authoritative') : this.nak(req, iface, `${address} is not the client's lease`);
    }
    // --- conflict hook: another host answered ARP for the address we offered: NAK, and the
    // client's next DISCOVER gets another one (the store marks it; this covers the moment before).
    if (state === 'selecting' && this.opts.conflictGuard?.isConflicted(address, mac) === true) return this.nak(req, iface, `${address} is in use by another host`);
    const reservation = reservationUnderRules(q, verdict.addressRules);
    const leaseSeconds = leaseSecondsFor(verdict, subnet, address);
    const claimed = await this.opts.store.claim({
      clientId: key,
      mac,
      address,
      state: 'bound',
      expiresAt: now + leaseSeconds * 1000,
      hostname: reservation?.hostname ?? clientHostname(facts),
      now,
    });
    // Only now is the lease durable; only now may the ACK leave.
    if (!claimed.ok) return this.nak(req, iface, `${address} was just taken (${claimed.reason})`);
    const reply = baseReply(req, MessageType.Ack, iface.address);
    reply.ciaddr = req.ciaddr;
    reply.yiaddr = address;
    this.fillLease(reply, req, subnet, reservation?.hostname ?? null, verdict, leaseSeconds);
    this.emit('dhcp.ack', 'info', mac, this.ackText(address, leaseSeconds), {
      ip: address,
      state,
      lease: leaseSeconds,
      boot: verdict.label,
      reason: verdict.reason,
    });
    return this.reply(req, reply, MessageType.Ack, facts);
  }

  private async decline(req: DhcpPacket, iface: ReceivingInterface): Promise<FullModeOutcome> {
    const mac = macOf(req);
    const serverId = getIp(req.options, OPTION_SERVER_ID);
    if (serverId !== null && serverId !== iface.address) return this.silent(mac, `DECLINE for server ${serverId}`);
    const address = getIp(req.options, OPTION_REQUESTED_IP);
    if (address === null) return this.drop(req, 'DHCP_BAD_REQUEST', 'info', 'DECLINE without a requested address (option 50)');
    const now = this.now();
    const marked = await this.opts.store.decline(clientKey(req), address, now + this.declineMs, now);
    this.emit('dhcp.decline', 'warn', mac, `DECLINE ${address}: another host uses it${marked ? `; kept from clients for ${this.declineMs / 1000}s` : ' (not its lease: ignored)'}`, {
      ip: address,
      marked,
    });
    return { kind: 'silent' };
  }

  private async release(req: DhcpPacket, iface: ReceivingInterface): Promise<FullModeOutcome> {
    const mac = macOf(req);
    const serverId = getIp(req.options, OPTION_SERVER_ID);
    if (serverId !== null && serverId !== iface.address) return this.silent(mac, `RELEASE for server ${serverId}`);
    if (isUnset(req.ciaddr)) return this.drop(req, 'DHCP_BAD_REQUEST', 'info', 'RELEASE without ciaddr');
    const released = await this.opts.store.release(clientKey(req), req.ciaddr, this.now());
    this.emit('dhcp.release', 'info', mac, `RELEASE ${req.ciaddr}${released ? '' : ' (not its lease: ignored)'}`, { ip: req.ciaddr, released });
    return { kind: 'silent' };
  }

  /** RFC 2131 §4.3.5: configuration only, no address and no lease times. */
  private async inform(req: DhcpPacket, iface: ReceivingInterface): Promise<FullModeOutcome> {
    const mac = macOf(req);
    this.emit('dhcp.inform', 'info', mac, `INFORM from ${req.ciaddr}`, { ip: req.ciaddr, iface: iface.name });
    if (isUnset(req.ciaddr)) return this.drop(req, 'DHCP_BAD_REQUEST', 'info', 'INFORM without ciaddr');
    const subnet = subnetContaining(this.subnets, selectionAddress(req) ?? req.ciaddr);
    if (!subnet || !contains(subnet.net, req.ciaddr)) return this.drop(req, 'DHCP_NO_SUBNET', 'debug', `no subnet configured for ${req.ciaddr}`);
    const reply = baseReply(req, MessageType.Ack, iface.address);
    reply.ciaddr = req.ciaddr;
    const reservation = reservationFor({ subnet, mac, reservations: this.opts.config.dhcp.reservations });
    addNetworkOptions(reply, subnet, reservation?.hostname ?? null);
    echoRelayAgent(reply, req);
    this.emit('dhcp.ack', 'info', mac, `ACK (inform) ${req.ciaddr}`, { ip: req.ciaddr, state: 'inform' });
    return this.reply(req, reply, MessageType.Ack, null);
  }

  private nak(req: DhcpPacket, iface: ReceivingInterface, why: string): FullModeOutcome {
    const reply = baseReply(req, MessageType.Nak, iface.address);
    // RFC 2131 §4.3.2: a NAK through a relay carries the broadcast bit so the relay
    // broadcasts it to a client whose address we just refused.
    if (!isUnset(req.giaddr)) reply.flags |= FLAG_BROADCAST;
    addMessage(reply, why);
    echoRelayAgent(reply, req);
    this.emit('dhcp.nak', 'info', macOf(req), `NAK: ${why}`, { reason: why });
    return this.reply(req, reply, MessageType.Nak, null);
  }

  private fillLease(
    reply: DhcpPacket, req: DhcpPacket, subnet: Subnet, hostname: string | null, verdict: FullModeVerdict & { kind: 'answer' }, leaseSeconds: number,
  ): void {
    addLeaseTimes(reply, leaseSeconds);
    addNetworkOptions(reply, subnet, hostname);
    echoSubnetSelection(reply, req);
    verdict.apply(reply, reply.yiaddr);
    echoRelayAgent(reply, req);
  }

  private reply(req: DhcpPacket, packet: DhcpPacket, type: MessageType, facts: ClientFacts | null): FullModeOutcome {
    const clientMax = getMaxMessageSize(req.options) ?? MIN_MESSAGE;
    return {
      kind: 'reply',
      reply: {
        packet,
        to: replyDestination(req, type, this.opts.config.dhcp.port, clientPortFor(this.opts.config.dhcp.port)),
        // Overload only when the options do not fit, and never for gPXE (design.md).
        encode: { maxSize: Math.min(clientMax, MAX_MESSAGE), allowOverload: facts !== null && !facts.gpxe },
      },
    };
  }

  /**
   * RFC 2131 §4.3.1: the relay's subnet (giaddr) when relayed — or the one its link selection
   * (82.5, RFC 3527) or the subnet selection option (118, RFC 3011) names — else the receiving
   * interface's. A unicast RENEW from behind a relay has no giaddr; it is recognised by a
   * ciaddr in a configured subnet none of our interfaces sits on.
   */
  private subnetFor(req: DhcpPacket, iface: ReceivingInterface): Subnet | null {
    const selected = selectionAddress(req);
    if (selected !== null) return subnetContaining(this.subnets, selected);
    const local = subnetContaining(this.subnets, iface.address);
    if (!isUnset(req.ciaddr) && (local === null || !contains(local.net, req.ciaddr))) {
      const remote = subnetContaining(this.subnets, req.ciaddr);
      if (remote && !this.opts.localAddresses.some((a) => contains(remote.net, a))) return remote;
    }
    return local;
  }

  private query(
    subnet: Subnet, clientId: string, mac: string, leases: PoolQuery['leases'], now: number, iface: ReceivingInterface,
  ): PoolQuery {
    const exclude = [...this.opts.localAddresses, iface.address];
    if (subnet.config.router !== undefined) exclude.push(subnet.config.router);
    return { subnet, clientId, mac, reservations: this.opts.config.dhcp.reservations, leases, now, exclude };
  }

  /** "ACK <address> for <n>s", shared per address for the few lease lengths the config gives. */
  private ackText(address: string, leaseSeconds: number): string {
    let texts = this.ackTexts.get(leaseSeconds);
    if (texts === undefined) {
      if (this.ackTexts.size >= ACK_TEXT_LEASES) return `ACK ${address} for ${leaseSeconds}s`;
      texts = new AddressTexts((a) => `ACK ${a} for ${leaseSeconds}s`);
      this.ackTexts.set(leaseSeconds, texts);
    }
    return texts.text(address);
  }

  private drop(req: DhcpPacket, code: DhcpDropCode, level: 'debug' | 'info', message: string): FullModeOutcome {
    this.emit('dhcp.drop', level, macOf(req), message, { code });
    return { kind: 'drop', code };
  }

  private silent(mac: string, why: string): FullModeOutcome {
    this.emit('dhcp.silent', 'debug', mac, `no reply: ${why}`);
    return { kind: 'silent' };
  }

  private emit(kind: string, level: 'debug' | 'info' | 'warn', mac: string, msg: string, data?: Record<string, string | number | boolean | null | undefined>): void {
    this.opts.events.emit(data ? { kind, level, mac, msg, data } : { kind, level, mac, msg });
  }
}

/** Clients listen one port above the server (67 → 68), as dnsmasq and udhcpc `-P` do for other ports. */
export function clientPortFor(serverPort: number): number {
  return serverPort + 1;
}

/** The client's own option 12, kept for people reading the lease table; capped like a DNS name. */
function clientHostname(facts: ClientFacts): string | null {
  return facts.hostname === null ? null : facts.hostname.slice(0, 253);
}

/** The policy's lease length for `address`, else the subnet's. */
function leaseSecondsFor(verdict: FullModeVerdict & { kind: 'answer' }, subnet: Subnet, address: string): number {
  return verdict.addressRules?.leaseSeconds(address) ?? subnet.config.leaseTime;
}

function relayOf(req: DhcpPacket): string | null {
  return isUnset(req.giaddr) ? null : req.giaddr;
}

function hex(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
}
