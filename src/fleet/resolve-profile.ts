/**
 * Which profile a machine boots, and why. The rule, in order:
 * 1. the machine's own profile;
 * 2. the matching group with the highest priority; among equal priorities the one whose
 *    selector gives more fields (more specific); then the name, in code point order;
 * 3. the default profile (`boot.defaultProfile`).
 * Pure: the caller brings the machine record, the live facts and the groups.
 */
import type { FirmwareName } from '../config/schema.js';
import type { Group } from './group.js';
import type { Machine } from './machine.js';
import { matchSelector, type SelectorSubject } from './selector-match.js';

/** What the current request says (all optional but the MAC); it overrides the stored record. */
export interface LiveFacts {
  mac: string;
  uuid?: string | null;
  arch?: number | null;
  firmware?: FirmwareName | null;
  ip?: string | null;
}

export interface ProfileDefaults {
  defaultProfile: string;
}

export interface GroupVerdict {
  group: string;
  priority: number;
  specificity: number;
  profile: string;
  matched: boolean;
  /** Why, field by field. */
  reasons: string[];
  /** The fields that failed (empty when matched). */
  failures: string[];
}

export interface ProfileResolution {
  profile: string;
  by: 'machine' | 'group' | 'default';
  /** The group that decided, when `by` is `group`. */
  group: string | null;
  why: string;
  /** Every group: matching ones first, best first; then the others by name. */
  groups: GroupVerdict[];
}

/** The record overlaid with the live facts (a fact the request carries is fresher than the record). */
export function subjectOf(machine: Machine | null, facts: LiveFacts): SelectorSubject {
  const live = <T>(v: T | null | undefined, stored: T | null | undefined): T | null => (v !== undefined && v !== null ? v : (stored ?? null));
  return {
    mac: facts.mac,
    uuid: live(facts.uuid, machine?.uuid),
    labels: machine?.labels ?? {},
    arch: live(facts.arch, machine?.arch),
    firmware: live(facts.firmware, machine?.firmware),
    ip: live(facts.ip, machine?.lastIp),
  };
}

/** Best group first: priority, then specificity (higher first), then name. */
export function compareVerdicts(a: GroupVerdict, b: GroupVerdict): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  if (a.specificity !== b.specificity) return b.specificity - a.specificity;
  return a.group < b.group ? -1 : a.group > b.group ? 1 : 0;
}

export function resolveProfile(machine: Machine | null, facts: LiveFacts, groups: readonly Group[], defaults: ProfileDefaults): ProfileResolution {
  const subject = subjectOf(machine, facts);
  const verdicts = groups.map((g): GroupVerdict => {
    const v = matchSelector(g.selector, subject);
    return { group: g.name, priority: g.priority, specificity: v.specificity, profile: g.profile, matched: v.matched, reasons: v.reasons, failures: v.failures };
  });
  const matched = verdicts.filter((v) => v.matched).sort(compareVerdicts);
  const others = verdicts.filter((v) => !v.matched).sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
  const ordered = [...matched, ...others];

  if (machine?.profile) {
    const where = machine.source === 'config' ? 'its machines entry in the config' : 'set on the machine';
    const beaten = matched[0] ? `; beats group ${matched[0].group}` : '';
    return { profile: machine.profile, by: 'machine', group: null, why: `machine's own profile (${where})${beaten}`, groups: ordered };
  }
  const best = matched[0];
  if (best) {
    const runnerUp = matched[1];
    let tie = '';
    if (runnerUp && runnerUp.priority === best.priority) {
      tie =
        runnerUp.specificity !== best.specificity
          ? `; beats ${runnerUp.group} (same priority) by specificity ${best.specificity} > ${runnerUp.specificity}`
          : `; beats ${runnerUp.group} (same priority and specificity) by name`;
    } else if (runnerUp) {
      tie = `; beats ${runnerUp.group} by priority ${best.priority} > ${runnerUp.priority}`;
    }
    const fields = `${best.specificity} selector field${best.specificity === 1 ? '' : 's'}`;
    return {
      profile: best.profile,
      by: 'group',
      group: best.group,
      why: `group ${best.group} (priority ${best.priority}, ${fields}: ${best.reasons.join('; ')})${tie}`,
      groups: ordered,
    };
  }
  const none = groups.length === 0 ? 'no groups' : 'no group matched';
  return { profile: defaults.defaultProfile, by: 'default', group: null, why: `no own profile and ${none}: boot.defaultProfile`, groups: ordered };
}
