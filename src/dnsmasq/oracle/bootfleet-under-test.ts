/**
 * bootfleet running a dnsmasq configuration, as the differential tests run it: a real
 * `bootfleet serve --dnsmasq-conf FILE -c base.yaml` process in the oracle's server namespace
 * (after dnsmasq there has stopped), answering the same replayed requests dnsmasq answered.
 *
 * The dnsmasq.conf it is given wraps the corpus file with the directives the oracle passes
 * dnsmasq on its command line (interface, bind-interfaces, log-dhcp, tftp-no-fail, …), so both
 * servers read the same configuration; only the lease file differs (bootfleet's starts empty,
 * so its address choices are its own, not imported from dnsmasq's run).
 */
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import type { Netns } from '../../lab/netns.js';
import { readTextSafe, waitForOutput } from '../../lab/wait-output.js';
import { ORACLE_NET } from './dnsmasq-oracle.js';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../cli/main.js');

/** A running bootfleet; `stop()` ends it by its PID. */
export class BootfleetUnderTest {
  private constructor(
    private readonly ns: Netns,
    private readonly child: ChildProcess,
    readonly logFile: string,
  ) {}

  /** Starts bootfleet on `corpusFile` in `ns`, working files under `dir`; resolves when it is ready. */
  static async start(ns: Netns, corpusFile: string, dir: string): Promise<BootfleetUnderTest> {
    const name = path.basename(corpusFile).replace(/[^A-Za-z0-9.-]/g, '_');
    const work = path.join(dir, `bootfleet-${name}`);
    mkdirSync(work, { recursive: true });
    const conf = path.join(work, 'dnsmasq.conf');
    writeFileSync(
      conf,
      [
        '# The oracle\'s command-line options for dnsmasq, then the corpus file.',
        `interface=${ORACLE_NET.serverIf}`,
        'bind-interfaces',
        `dhcp-leasefile=${path.join(work, 'dnsmasq.leases')}`,
        'no-ping',
        'log-dhcp',
        'no-hosts',
        'no-resolv',
        'tftp-no-fail',
        `conf-file=${path.resolve(corpusFile)}`,
        '',
      ].join('\n'),
    );
    const base = path.join(work, 'bootfleet.yaml');
    // dataDir fresh per config; no probe for other DHCP servers (the segment holds only the replay client).
    writeFileSync(base, [`dataDir: ${JSON.stringify(path.join(work, 'data'))}`, 'log: { level: debug, format: json }', 'dhcp: { probeSeconds: 0 }', ''].join('\n'));
    const logFile = path.join(work, 'bootfleet.log');
    const fd = openSync(logFile, 'w');
    const child = ns.spawn(process.execPath, [CLI, 'serve', '--dnsmasq-conf', conf, '-c', base], { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    let gone = false;
    child.once('exit', () => (gone = true));
    // Generous: a busy CI machine can take seconds to start node and open the store.
    await waitForOutput(logFile, /^bootfleet: ready$/m, 45_000, () => gone, `bootfleet with ${corpusFile}`);
    return new BootfleetUnderTest(ns, child, logFile);
  }

  /** Its output so far (start-up lines and JSON events). */
  log(): string {
    return readTextSafe(this.logFile);
  }

  async stop(): Promise<void> {
    await this.ns.stop(this.child);
  }
}
