/**
 * Whether a pending router solicitation gets our advertisement now, later, or never.
 * Pure: every input is in {@link RsSituation}, so the rules are a table test.
 */
import type { RaTiming } from './ra-timing.js';

/** Everything the decision depends on, for one client's solicitation on one interface. */
export interface RsSituation {
  now: number;
  /** When this client's first solicitation (of the current burst) arrived. */
  firstSolicitAt: number;
  /** When answering may start on this interface (after our own solicitations); null: not yet known. */
  answeringFrom: number | null;
  /** Last valid advertisement from another router on this interface. */
  routerSeen: { at: number; from: string } | null;
  /** This host forwards IPv6 on the interface (it is a router there itself). */
  hostForwards: boolean;
  /** The client's latest iPXE DHCP exchange on this interface. */
  sighting: { at: number; answered: boolean } | null;
}

export type RaDecision =
  | { kind: 'send' }
  | { kind: 'wait'; until: number; why: string }
  | { kind: 'silent'; why: string };

export function decideRa(s: RsSituation, t: RaTiming): RaDecision {
  if (s.hostForwards) return { kind: 'silent', why: 'this host forwards IPv6 on the interface: router advertisements are its job, not ours' };
  if (s.routerSeen && s.now - s.routerSeen.at < t.routerMemoryMs) {
    return { kind: 'silent', why: `IPv6 router ${s.routerSeen.from} advertised ${Math.round((s.now - s.routerSeen.at) / 1000)} s ago: it answers iPXE` };
  }
  if (s.sighting?.answered) return { kind: 'silent', why: "already answered this client's iPXE configuration" };
  const deadline = s.firstSolicitAt + t.pendingMaxMs;
  const fresh = s.sighting !== null && s.sighting.at >= s.firstSolicitAt - t.sightingWindowMs;
  if (!fresh) {
    return s.now >= deadline
      ? { kind: 'silent', why: `no iPXE DHCP exchange from this client within ${t.pendingMaxMs / 1000} s of its solicitation` }
      : { kind: 'wait', until: deadline, why: 'waiting for this client to be seen as iPXE in DHCP' };
  }
  if (s.answeringFrom === null || s.now < s.answeringFrom) {
    if (s.now >= deadline) return { kind: 'silent', why: 'still listening for other routers after start-up' };
    return { kind: 'wait', until: s.answeringFrom === null ? deadline : Math.min(s.answeringFrom, deadline), why: 'listening for other routers after start-up' };
  }
  const due = s.firstSolicitAt + t.holdoffMs;
  if (s.now < due) return { kind: 'wait', until: due, why: 'giving a real router time to answer first' };
  return { kind: 'send' };
}
