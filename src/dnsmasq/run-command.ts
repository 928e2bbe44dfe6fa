/**
 * `bootfleet dnsmasq [dnsmasq's flags…]` and `bootfleet serve --dnsmasq-conf FILE`: read a
 * dnsmasq configuration, check it (every problem printed with file, line and directive;
 * nothing starts while any remains), lay it over a bootfleet config, and run it with
 * dnsmasq's reply policy.
 *
 * bootfleet's own flags, taken out before dnsmasq's command line is read (dnsmasq has none of
 * these names): `--bootfleet-config FILE` (or `-c` for serve) — a bootfleet YAML for what
 * dnsmasq has no words for (dataDir, log format, http, api, profiles); `--skip-unknown` —
 * report directives bootfleet does not understand and go on; `--allow-other-dhcp`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import path from 'node:path';
import { isMap, parseDocument } from 'yaml';
import { Bootfleet } from '../app/bootfleet.js';
import { formatProblems, parseConfigText } from '../config/load.js';
import { configSchema } from '../config/schema.js';
import { runBootfleet } from '../cli/serve.js';
import { contains, parseCidr } from '../dhcp/ipv4-math.js';
import type { EventSink } from '../events/boot-event.js';
import { InterfaceLookupError } from '../transport/interfaces.js';
import { dnsmasqReplyPolicy } from './dnsmasq-policy.js';
import { readHostsText } from './hosts-file.js';
import { importDnsmasqLeases, parseDnsmasqLeases } from './lease-file.js';
import { loadDnsmasqArgs, loadDnsmasqConfFile, type ConfFs } from './load.js';
import { formatDnsmasqProblem } from './problems.js';
import { translateDnsmasq, type BaseConfig, type DnsmasqRunPlan, type HostInterface } from './translate.js';

/** What to run. */
export interface DnsmasqRunRequest {
  source: { kind: 'file'; file: string } | { kind: 'argv'; argv: readonly string[] };
  /** A bootfleet YAML laid under the dnsmasq configuration, or null for the defaults. */
  bootfleetConfig: string | null;
  skipUnknown: boolean;
  allowOtherDhcp: boolean;
}

/** What preparing needs from the machine; injectable so tests run without a network. */
export interface DnsmasqRunEnv {
  hostInterfaces(): HostInterface[];
  isDirectory(dir: string): boolean;
  fs?: ConfFs;
  /** Where dnsmasq reads its default configuration when the command line names none. */
  defaultConfFile?: string | null;
}

export const nodeRunEnv: DnsmasqRunEnv = {
  hostInterfaces() {
    const out: HostInterface[] = [];
    for (const [name, entries] of Object.entries(networkInterfaces())) {
      const v4 = entries?.find((e) => e.family === 'IPv4' && !e.internal);
      if (v4 !== undefined) out.push({ name, address: v4.address, netmask: v4.netmask });
    }
    return out;
  },
  isDirectory(dir) {
    try {
      return statSync(dir).isDirectory();
    } catch {
      return false;
    }
  },
};

/** `bootfleet dnsmasq`'s arguments: bootfleet's own flags out, dnsmasq's left in order. */
export function splitDnsmasqArgv(argv: readonly string[]): { request: DnsmasqRunRequest } | { error: string } {
  const rest: string[] = [];
  let bootfleetConfig: string | null = null;
  let skipUnknown = false;
  let allowOtherDhcp = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--skip-unknown') skipUnknown = true;
    else if (a === '--allow-other-dhcp') allowOtherDhcp = true;
    else if (a.startsWith('--bootfleet-config=')) bootfleetConfig = a.slice('--bootfleet-config='.length);
    else if (a === '--bootfleet-config') {
      const next = argv[i + 1];
      if (next === undefined) return { error: '--bootfleet-config needs a file' };
      bootfleetConfig = next;
      i++;
    } else rest.push(a);
  }
  return { request: { source: { kind: 'argv', argv: rest }, bootfleetConfig, skipUnknown, allowOtherDhcp } };
}

/** The bootfleet config under the dnsmasq one: the file's (it may leave out `interfaces`), or the defaults. */
export function loadBaseConfig(file: string | null): { ok: true; base: BaseConfig; warnings: string[] } | { ok: false; errors: string } {
  if (file === null) {
    const config = configSchema.parse({ interfaces: [{ name: 'lo', mode: 'off' }] });
    return { ok: true, warnings: [], base: { file: null, keys: new Set(), config: { ...config, http: { ...config.http, root: path.resolve(config.http.root) } } } };
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return { ok: false, errors: `${file}: cannot read the file (${e instanceof Error && 'code' in e ? String(e.code) : String(e)})` };
  }
  const doc = parseDocument(text);
  const keys = new Set<string>();
  if (isMap(doc.contents)) for (const item of doc.contents.items) keys.add(String((item.key as { value?: unknown } | null)?.value ?? item.key));
  // The dnsmasq configuration says which interfaces are served; the schema wants some. Added
  // at the end so every line number in the file's own problems stays right.
  const completed = keys.has('interfaces') || (doc.contents !== null && !isMap(doc.contents)) ? text : `${text}\ninterfaces: [{ name: lo, mode: "off" }]\n`;
  const r = parseConfigText(completed, file);
  if (!r.ok) return { ok: false, errors: formatProblems(r.errors) };
  return { ok: true, base: { file, keys, config: r.config }, warnings: r.warnings };
}

export type Prepared = { ok: true; plan: DnsmasqRunPlan; notes: string[] } | { ok: false; messages: string[] };

/** Reads, checks and translates; starts nothing. Every problem is in `messages`. */
export function prepareDnsmasqRun(req: DnsmasqRunRequest, env: DnsmasqRunEnv = nodeRunEnv): Prepared {
  const base = loadBaseConfig(req.bootfleetConfig);
  if (!base.ok) return { ok: false, messages: [base.errors] };
  const opts = { skipUnknown: req.skipUnknown, ...(env.fs !== undefined ? { fs: env.fs } : {}) };
  const conf =
    req.source.kind === 'file'
      ? loadDnsmasqConfFile(req.source.file, opts)
      : loadDnsmasqArgs(req.source.argv, { ...opts, ...(env.defaultConfFile !== undefined ? { defaultConfFile: env.defaultConfFile } : {}) });
  if (conf.problems.length > 0) {
    const hint = conf.problems.some((p) => p.code === 'DNSMASQ_UNKNOWN_DIRECTIVE' || p.code === 'DNSMASQ_UNSUPPORTED_DIRECTIVE') && !req.skipUnknown ? ['(--skip-unknown skips directives bootfleet does not know)'] : [];
    return { ok: false, messages: [...conf.problems.map(formatDnsmasqProblem), ...hint] };
  }
  const t = translateDnsmasq({ directives: conf.directives, hostInterfaces: env.hostInterfaces(), base: base.base, isDirectory: env.isDirectory, skipUnknown: req.skipUnknown });
  if (!t.ok) return { ok: false, messages: [...t.errors.map(formatDnsmasqProblem), ...t.warnings.map((w) => `warning: ${w}`)] };
  return { ok: true, plan: t.plan, notes: [...base.warnings, ...t.plan.warnings] };
}

function sourceName(req: DnsmasqRunRequest): string {
  return req.source.kind === 'file' ? req.source.file : 'dnsmasq command line';
}

/** Runs the command; resolves with the exit status once stopped (or at once when it cannot start). */
export async function dnsmasqRunCommand(req: DnsmasqRunRequest, env: DnsmasqRunEnv = nodeRunEnv): Promise<number> {
  const prepared = prepareDnsmasqRun(req, env);
  if (!prepared.ok) {
    for (const m of prepared.messages) process.stderr.write(`${m}\n`);
    process.stderr.write(`${sourceName(req)}: not started\n`);
    return 1;
  }
  const { plan } = prepared;
  for (const n of prepared.notes) process.stderr.write(`warning: ${n}\n`);
  if (plan.testOnly) {
    process.stdout.write('dnsmasq: syntax check OK.\n');
    return 0;
  }
  let app: Bootfleet | null = null;
  const events: EventSink = { emit: (e) => app?.events.emit(e) };
  const hosts = readHostsFiles(plan.hostsFiles);
  for (const w of hosts.warnings) process.stderr.write(`warning: ${w}\n`);
  const model = { ...plan.model, hostAddresses: hosts.addresses };
  const named = plan.model.bootChain.some((b) => b.tftpServerName !== null) || plan.model.pxeServices.some((x) => x.serverName !== null);
  const summary = named
    ? [...plan.summary, `dnsmasq: boot server names from ${plan.hostsFiles.length === 0 ? 'no hosts file (port=0: DNS off, so every name gives 0.0.0.0)' : `${plan.hostsFiles.join(', ')} (${hosts.addresses.size} names)`}`]
    : plan.summary;
  const policy = dnsmasqReplyPolicy({ model, logDhcp: plan.logDhcp, events, hostNets: plan.hostNets });
  const subnets = plan.config.dhcp.subnets.map((s) => parseCidr(s.subnet));
  try {
    app = new Bootfleet(plan.config, undefined, {
      allowOtherDhcp: req.allowOtherDhcp,
      policy,
      serveHttp: plan.serveHttp,
      // dnsmasq listens on 4011 whenever pxe-service or pxe-prompt is configured.
      pxePortOnFull: plan.model.pxeEnabled,
      tftp: {
        lowercaseNames: plan.tftp.lowercaseNames,
        secure: plan.tftp.secure,
        maxTransfers: plan.tftp.maxTransfers,
        ...(plan.tftp.transferPorts !== null ? { transferPorts: plan.tftp.transferPorts } : {}),
        // dnsmasq serves tftp-root only: no iPXE or PXELINUX directories, no generated files.
        extraDirs: [],
        virtualFiles: false,
        rootFor: (address) => plan.tftp.rootByAddress[address] ?? null,
      },
      beforeDhcp: async (store) => {
        let text: string;
        try {
          text = readFileSync(plan.leaseFile, 'utf8');
        } catch {
          return; // no lease file yet: nothing to carry over
        }
        const { leases, skipped } = parseDnsmasqLeases(text);
        const r = await importDnsmasqLeases(store, leases, (ip) => subnets.some((n) => contains(n, ip)), Date.now());
        app?.events.emit({
          kind: 'dnsmasq.leases',
          level: 'info',
          msg: `${plan.leaseFile}: ${r.imported} lease(s) carried over, ${r.skipped + skipped} skipped (expired, elsewhere, or already known); the file is not written`,
          data: { file: plan.leaseFile, imported: r.imported, skipped: r.skipped + skipped },
        });
      },
    });
  } catch (err) {
    if (err instanceof InterfaceLookupError) {
      process.stderr.write(`${sourceName(req)}: ${err.message}; not started\n`);
      return 1;
    }
    throw err;
  }
  return runBootfleet(app, summary);
}

/**
 * The hosts files' names, read once at start as dnsmasq reads them (an `addn-hosts` directory:
 * each file in it, in name order). A file that cannot be read is a warning, as in dnsmasq
 * ("failed to load names from …").
 */
function readHostsFiles(files: readonly string[]): { addresses: Map<string, string>; warnings: string[] } {
  const addresses = new Map<string, string>();
  const warnings: string[] = [];
  const readOne = (file: string): void => {
    try {
      readHostsText(readFileSync(file, 'utf8'), addresses);
    } catch (e) {
      warnings.push(`${file}: cannot read hosts file (${e instanceof Error && 'code' in e ? String(e.code) : String(e)}): its names stay unknown`);
    }
  };
  for (const file of files) {
    let entries: string[] | null = null;
    try {
      if (statSync(file).isDirectory()) entries = readdirSync(file).sort();
    } catch {
      entries = null;
    }
    if (entries === null) readOne(file);
    else for (const name of entries) readOne(path.join(file, name));
  }
  return { addresses, warnings };
}
