/**
 * dnsmasq's tags ("netids"): names attached to a request, and the `tag:` conditions that
 * lines carry. Rules (dnsmasq(8) "The tag system", dhcp-common.c `match_netid`):
 *
 * - A line's conditions all have to hold: `tag:x` needs x in the set, `tag:!x` needs x absent.
 *   The older spellings `net:x` and `net:#x` (gPXE-era configs) mean the same.
 * - A line with no condition at all is "untagged"; callers decide whether untagged lines
 *   count (`untaggedOk`) — dhcp-boot and dhcp-option first look for a tagged line that
 *   matches and only then fall back to untagged ones.
 * - tag-if conditions may end in `*` (prefix match, for interface families like `ppp*`).
 */

/** One `tag:` condition. */
export interface TagRef {
  name: string;
  /** `tag:!x` / `net:#x`: holds when x is NOT set. */
  negated: boolean;
}

/** A condition from its text after `tag:`/`net:` (`x`, `!x` or `#x`). */
export function tagRef(raw: string): TagRef {
  return raw.startsWith('!') || raw.startsWith('#') ? { name: raw.slice(1), negated: true } : { name: raw, negated: false };
}

/** How a condition is written back: `tag:x` or `tag:!x`. */
export function formatTagRef(t: TagRef): string {
  return `tag:${t.negated ? '!' : ''}${t.name}`;
}

/**
 * dnsmasq `match_netid`: true when every condition holds against `tags`. An empty condition
 * list holds only when `untaggedOk`.
 */
export function conditionsHold(conditions: readonly TagRef[], tags: ReadonlySet<string>, untaggedOk: boolean): boolean {
  if (conditions.length === 0) return untaggedOk;
  return conditions.every((c) => tags.has(c.name) !== c.negated);
}

/** dnsmasq `match_netid_wild` (tag-if only): like conditionsHold, `x*` matching any tag starting with x. */
export function wildConditionsHold(conditions: readonly TagRef[], tags: ReadonlySet<string>): boolean {
  return conditions.every((c) => {
    const star = c.name.endsWith('*');
    const prefix = star ? c.name.slice(0, -1) : c.name;
    let present = false;
    for (const t of tags) {
      if (star ? t.startsWith(prefix) : t === prefix) {
        present = true;
        break;
      }
    }
    return present !== c.negated;
  });
}

/** A tag-if line: set every tag in `set` when all `conditions` hold. */
export interface TagIfRule {
  set: readonly string[];
  conditions: readonly TagRef[];
}

/**
 * dnsmasq `run_tag_if`: tag-if lines run in file order over a growing set, so a line can test
 * a tag an earlier line set (dnsmasq(8): "the line which sets the tag must precede the one
 * which tests it"). Returns a new set; `tags` is not changed.
 */
export function runTagIf(rules: readonly TagIfRule[], tags: ReadonlySet<string>): Set<string> {
  const out = new Set(tags);
  for (const rule of rules) {
    if (wildConditionsHold(rule.conditions, out)) for (const t of rule.set) out.add(t);
  }
  return out;
}
