/**
 * `bootfleet import dnsmasq FILE`: prints the bootfleet YAML for a dnsmasq configuration on
 * stdout, and lines it could not read on stderr (exit 1 then, 0 otherwise).
 */
import { importDnsmasqFile } from './import.js';
import { formatDnsmasqProblem } from './problems.js';

/** Runs the command; returns the exit code. */
export function importDnsmasqCommand(file: string, out: (s: string) => void = (s) => process.stdout.write(s), err: (s: string) => void = (s) => process.stderr.write(s)): number {
  const r = importDnsmasqFile(file);
  out(r.yaml);
  for (const p of r.problems) err(`${formatDnsmasqProblem(p)}\n`);
  return r.problems.length > 0 ? 1 : 0;
}
