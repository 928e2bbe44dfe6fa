/**
 * dnsmasq's command line → entries, as GNU getopt_long reads it for dnsmasq:
 * `--name=value`, `--name value` (when a value is required), `--name` (flags; an optional
 * value must be attached with `=`), unambiguous prefixes of long names (`--dhcp-ran=…`),
 * short flags `-F value` / `-Fvalue`, and clusters of short flags `-kd`. Anything that is not
 * an option is an error, as in dnsmasq ("junk found in command line").
 */
import type { RawEntry } from './conf-text.js';
import { BY_SHORT, CATALOGUE, type CatalogueEntry } from './option-catalogue.js';
import { COMMAND_LINE, type DnsmasqProblem } from './problems.js';

/** Short flags that take no value (dnsmasq's getopt string lists every other one with `:`). */
const SHORT_FLAGS = new Set('951yZDNLERKzowefnbvhdkq');

/** Entries in command-line order; `at.line` is the 1-based index of the argument. */
export function argvEntries(argv: readonly string[]): { entries: RawEntry[]; problems: DnsmasqProblem[] } {
  const entries: RawEntry[] = [];
  const problems: DnsmasqProblem[] = [];
  const fail = (index: number, directive: string, message: string): void => {
    problems.push({ at: { file: COMMAND_LINE, line: index + 1 }, directive, code: 'DNSMASQ_COMMAND_LINE', message });
  };
  let i = 0;
  let optionsEnded = false;
  while (i < argv.length) {
    const arg = argv[i] as string;
    const at = { file: COMMAND_LINE, line: i + 1 };
    if (optionsEnded || !arg.startsWith('-') || arg === '-') {
      if (arg.trim() !== '') fail(i, '', `"${arg}" is not an option (dnsmasq: junk found in command line)`);
      i++;
      continue;
    }
    if (arg === '--') {
      optionsEnded = true;
      i++;
      continue;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const written = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      const entry = longOption(written);
      if (entry === 'ambiguous' || entry === undefined) {
        fail(i, written, entry === 'ambiguous' ? `--${written} is ambiguous` : `--${written} is not a dnsmasq option`);
        i++;
        continue;
      }
      if (eq >= 0) {
        if (entry.arg === 0) fail(i, entry.name, `--${entry.name} takes no value`);
        else entries.push({ name: entry.name, arg: arg.slice(eq + 1), at });
        i++;
      } else if (entry.arg === 1) {
        if (i + 1 >= argv.length) fail(i, entry.name, `--${entry.name} needs a value`);
        else entries.push({ name: entry.name, arg: argv[i + 1] as string, at });
        i += 2;
      } else {
        entries.push({ name: entry.name, arg: null, at });
        i++;
      }
      continue;
    }
    // A cluster of short options: flags, then at most one option that takes the rest as its value.
    let j = 1;
    let consumedNext = false;
    while (j < arg.length) {
      const letter = arg[j] as string;
      const entry = BY_SHORT.get(letter);
      if (entry === undefined) {
        fail(i, letter, `-${letter} is not a dnsmasq option`);
        break;
      }
      if (SHORT_FLAGS.has(letter)) {
        entries.push({ name: entry.name, arg: null, at });
        j++;
        continue;
      }
      const attached = arg.slice(j + 1);
      if (attached !== '') entries.push({ name: entry.name, arg: attached, at });
      else if (i + 1 < argv.length) {
        entries.push({ name: entry.name, arg: argv[i + 1] as string, at });
        consumedNext = true;
      } else fail(i, entry.name, `-${letter} needs a value`);
      break;
    }
    i += consumedNext ? 2 : 1;
  }
  return { entries, problems };
}

/** An exact long name, else the only one it is a prefix of; 'ambiguous' when several. */
function longOption(written: string): CatalogueEntry | 'ambiguous' | undefined {
  const exact = CATALOGUE.get(written);
  if (exact !== undefined) return exact;
  if (written === '') return undefined;
  const candidates = [...CATALOGUE.values()].filter((e) => e.name.startsWith(written));
  if (candidates.length > 1) return 'ambiguous';
  return candidates[0];
}
