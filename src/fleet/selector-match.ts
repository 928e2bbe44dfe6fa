/**
 * Does a group's selector pick a machine? Each field given is one test; all must pass.
 * The verdict keeps a sentence per field, so `bootfleet explain` can say why.
 */
import type { FirmwareName } from '../config/schema.js';
import { ipv4ToNumber, networkContains, parseCidr } from '../config/ipv4.js';
import type { GroupSelector } from './group.js';

/** What a selector is matched against: the machine's record overlaid with the live request's facts. */
export interface SelectorSubject {
  mac: string;
  uuid: string | null;
  labels: Readonly<Record<string, string>>;
  arch: number | null;
  firmware: FirmwareName | null;
  ip: string | null;
}

export interface SelectorVerdict {
  matched: boolean;
  /** How many fields the selector gives: more is more specific. */
  specificity: number;
  /** One sentence per field tested, in field order: why it passed or failed. */
  reasons: string[];
  /** The sentences of the fields that failed (empty when matched). */
  failures: string[];
}

/** The number of fields a selector gives (an empty selector, 0, selects every machine). */
export function specificityOf(selector: GroupSelector): number {
  return selectorFields.filter((f) => selector[f] !== undefined).length;
}

const selectorFields = ['macs', 'uuids', 'labels', 'arch', 'firmware', 'subnet'] as const;

export function matchSelector(selector: GroupSelector, subject: SelectorSubject): SelectorVerdict {
  const reasons: string[] = [];
  const failures: string[] = [];
  const check = (ok: boolean, yes: string, no: string): void => {
    reasons.push(ok ? yes : no);
    if (!ok) failures.push(no);
  };
  if (selector.macs) {
    check(selector.macs.includes(subject.mac), `mac ${subject.mac} is listed`, `mac ${subject.mac} is not listed`);
  }
  if (selector.uuids) {
    const u = subject.uuid;
    if (u === null) check(false, '', 'uuid not known (option 97 never sent)');
    else check(selector.uuids.includes(u), `uuid ${u} is listed`, `uuid ${u} is not listed`);
  }
  if (selector.labels) {
    const wanted = Object.entries(selector.labels);
    const missing = wanted.filter(([k, v]) => subject.labels[k] !== v);
    const text = wanted.map(([k, v]) => `${k}=${v}`).join(',');
    check(
      missing.length === 0,
      `labels ${text} all present`,
      `labels ${missing.map(([k, v]) => `${k}=${v} (has ${subject.labels[k] === undefined ? 'none' : `${k}=${subject.labels[k]}`})`).join(', ')} not matched`,
    );
  }
  if (selector.arch) {
    const a = subject.arch;
    const list = selector.arch.join(', ');
    if (a === null) check(false, '', `arch not known (option 93 not seen), wanted one of ${list}`);
    else check(selector.arch.includes(a), `arch ${a} in [${list}]`, `arch ${a} not in [${list}]`);
  }
  if (selector.firmware) {
    const f = subject.firmware;
    const list = selector.firmware.join(', ');
    if (f === null) check(false, '', `firmware not known yet, wanted one of ${list}`);
    else check(selector.firmware.includes(f), `firmware ${f} in [${list}]`, `firmware ${f} not in [${list}]`);
  }
  if (selector.subnet) {
    const net = parseCidr(selector.subnet);
    const ip = subject.ip;
    if (ip === null) check(false, '', `address not known yet, wanted one in ${selector.subnet}`);
    else {
      const n = ipv4ToNumber(ip);
      check(net !== null && !Number.isNaN(n) && networkContains(net, n), `address ${ip} in ${selector.subnet}`, `address ${ip} not in ${selector.subnet}`);
    }
  }
  if (reasons.length === 0) reasons.push('empty selector: selects every machine');
  return { matched: failures.length === 0, specificity: specificityOf(selector), reasons, failures };
}
