/**
 * `pool.ts` under a policy's AddressRules (`reply-policy.ts`): the same choice — the client's
 * reservation, else its previous address, else the one it asked for, else the lowest free one
 * — over the pools, reservation and exclusions the rules allow. Without rules, exactly pool.ts.
 */
import type { PoolConfig, ReservationConfig } from '../config/schema.js';
import { chooseAddress, judgeAddress, leaseAt, reservationFor, type AddressChoice, type AddressVerdict, type PoolQuery } from './pool.js';
import type { AddressRules } from './reply-policy.js';
import { isHeld } from '../store/lease-store.js';

/** The query with the subnet's pools replaced by `pools` and the rules' reservations. */
function narrowed(q: PoolQuery, rules: AddressRules, pools: readonly PoolConfig[]): PoolQuery {
  const reservations: ReservationConfig[] = rules.reservation === null ? [] : [{ ...rules.reservation, mac: q.mac }];
  return {
    ...q,
    subnet: { net: q.subnet.net, config: { ...q.subnet.config, pools: [...pools] } },
    reservations,
    exclude: [...q.exclude, ...rules.reservedForOthers],
  };
}

/**
 * The rules as they apply now: without the reservation when it yields to another client's
 * unexpired lease on its address (`reservationYieldsToLease`).
 */
function effective(q: PoolQuery, rules: AddressRules): AddressRules {
  const r = rules.reservation;
  if (r === null || rules.reservationYieldsToLease !== true) return rules;
  // An offer is no lease (dnsmasq keeps none for it); a declined address is not used either.
  const l = leaseAt(q, r.address);
  const held = l !== null && l.state !== 'offered' && (l.state === 'declined' || l.clientId !== q.clientId) && isHeld(l, q.now);
  return held ? { ...rules, reservation: null } : rules;
}

function allPools(rules: AddressRules): PoolConfig[] {
  return rules.poolGroups.flatMap((g) => [...g]);
}

/** The address to offer, or null when none is free (see `pool.ts` chooseAddress). */
export function chooseUnderRules(q: PoolQuery, given: AddressRules | null, previous: string | null, requested: string | null): AddressChoice | null {
  if (given === null) return chooseAddress(q, previous, requested);
  const rules = effective(q, given);
  const all = narrowed(q, rules, allPools(rules));
  if (rules.reservation !== null) return chooseAddress(all, previous, requested);
  // The previous and the requested address may come from any allowed pool; a new one from the
  // first group with a free address.
  if (previous !== null && judgeAddress(all, previous) === 'ok') return { address: previous, reason: 'previous', reservation: null };
  if (requested !== null && judgeAddress(all, requested) === 'ok') return { address: requested, reason: 'requested', reservation: null };
  for (const group of rules.poolGroups) {
    const choice = chooseAddress(narrowed(q, rules, group), null, null);
    if (choice !== null) return choice;
  }
  return null;
}

/** May this client have `address` (see `pool.ts` judgeAddress)? */
export function judgeUnderRules(q: PoolQuery, given: AddressRules | null, address: string): AddressVerdict {
  if (given === null) return judgeAddress(q, address);
  const rules = effective(q, given);
  return judgeAddress(narrowed(q, rules, allPools(rules)), address);
}

/** The client's reservation under the rules (the config's without rules). */
export function reservationUnderRules(q: PoolQuery, given: AddressRules | null): ReservationConfig | null {
  if (given === null) return reservationFor(q);
  const rules = effective(q, given);
  return reservationFor(narrowed(q, rules, allPools(rules)));
}
