/**
 * A loaded dnsmasq configuration → what `bootfleet dnsmasq` / `bootfleet serve --dnsmasq-conf`
 * runs: a bootfleet config (interfaces, DHCP subnets, TFTP) for the servers, the model for
 * dnsmasq's reply policy, and the TFTP and lease-file settings bootfleet's YAML has no key for.
 * Pure: the host's interfaces and the file system checks are passed in.
 *
 * Which interfaces get DHCP sockets, as dnsmasq decides (dnsmasq(8) --interface,
 * --except-interface, --listen-address; dhcp.c `complete_context`):
 * - `except-interface` names are never served; with no `interface` and no `listen-address`
 *   every other interface may be; otherwise those named (a trailing `*` matches a prefix) and
 *   those holding a listen-address.
 * - Of those, an interface is served only when a dhcp-range lies on its subnet. Its first
 *   range (file order) says how: `proxy` → proxyDHCP (ports 67 and 4011), else full DHCP.
 * - `bind-interfaces` changes nothing: bootfleet always binds each socket to its interface
 *   (SO_BINDTODEVICE), which is what bind-interfaces asks for. An `interface` naming an
 *   interface that does not exist stops start-up, as it stops dnsmasq.
 */
import type { BootfleetConfig } from '../config/schema.js';
import { configSchema } from '../config/schema.js';
import { checkSemantics } from '../config/semantic-checks.js';
import { classfulNetmask, contextsFor, prefixToNetmask, type Context, type HostNet } from './contexts.js';
import type { DhcpRangeDirective, Directive, LeaseTime } from './directive.js';
import { buildModel, type DnsmasqModel } from './model.js';
import { COMMAND_LINE, type DnsmasqProblem, type SourceRef } from './problems.js';
import { ipv4ToNumber, numberToIpv4 } from './text.js';

/** An IPv4 interface of the host (namespace) bootfleet runs in. */
export interface HostInterface {
  name: string;
  address: string;
  netmask: string;
}

/** The bootfleet config the dnsmasq one is laid over (from `--bootfleet-config`, or the defaults). */
export interface BaseConfig {
  config: BootfleetConfig;
  /** The file it came from, or null for the built-in defaults. */
  file: string | null;
  /** Top-level keys the file sets: `http` and `api` run only when it sets them. */
  keys: ReadonlySet<string>;
}

export interface TranslateInput {
  directives: readonly Directive[];
  hostInterfaces: readonly HostInterface[];
  base: BaseConfig;
  /** True when `dir` is a directory bootfleet can read. */
  isDirectory: (dir: string) => boolean;
  /** Report what bootfleet cannot run as warnings instead of errors (`--skip-unknown`). */
  skipUnknown?: boolean;
  /** Where relative paths in the configuration are taken from (dnsmasq: its working directory). */
  cwd?: string;
}

/** TFTP settings bootfleet's YAML has no key for. */
export interface DnsmasqTftpExtras {
  lowercaseNames: boolean;
  transferPorts: { start: number; end: number } | null;
  secure: boolean;
  /** dnsmasq `tftp-max` (default 50). */
  maxTransfers: number;
  /**
   * The TFTP root for each served interface address TFTP runs on (`enable-tftp` with or without
   * an interface list, `tftp-root` with or without an interface); an address not listed gets no TFTP.
   */
  rootByAddress: Record<string, string>;
}

/** Everything needed to run a dnsmasq configuration. */
export interface DnsmasqRunPlan {
  model: DnsmasqModel;
  config: BootfleetConfig;
  /** bootfleet's HTTP server runs only when the bootfleet config asks for it (`http:`). */
  serveHttp: boolean;
  tftp: DnsmasqTftpExtras;
  /** dnsmasq's lease file, read once at start so clients keep their addresses; never written. */
  leaseFile: string;
  logDhcp: boolean;
  /** The host's IPv4 addresses, for the netmasks of ranges that give none (`contexts.ts`). */
  hostNets: HostNet[];
  /**
   * The hosts files dnsmasq would read for server names (`hosts-file.ts`), in its order:
   * /etc/hosts unless `no-hosts`, then each `addn-hosts`; none when DNS is off (`port=0`).
   */
  hostsFiles: string[];
  /** dnsmasq `--test`: check and exit. */
  testOnly: boolean;
  /** One line per thing that will run (interfaces, pools, TFTP), for the start-up banner. */
  summary: string[];
  warnings: string[];
}

export type TranslateResult = { ok: true; plan: DnsmasqRunPlan } | { ok: false; errors: DnsmasqProblem[]; warnings: string[] };

/** dnsmasq's compiled-in lease file (LEASEFILE in config.h, Debian's build). */
export const DEFAULT_LEASE_FILE = '/var/lib/misc/dnsmasq.leases';
const DEFAULT_LEASE_SECONDS = 3600;
/** What bootfleet stores for dnsmasq's `infinite` (0xffffffff on the wire). */
const INFINITE_SECONDS = 0xffffffff;
/** dnsmasq's default for tftp-max. */
const DEFAULT_TFTP_MAX = 50;

/** `file:line`, or `command line argument N`. */
function loc(at: SourceRef): string {
  return at.file === COMMAND_LINE ? `command line argument ${at.line}` : `${at.file}:${at.line}`;
}

function matchesName(pattern: string, name: string): boolean {
  return pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : pattern === name;
}

function prefixOf(netmask: string): number {
  const n = ipv4ToNumber(netmask);
  let bits = 0;
  for (let i = 31; i >= 0 && ((n >>> i) & 1) === 1; i--) bits++;
  return bits;
}

function leaseSeconds(t: LeaseTime | null): number {
  return t === null ? DEFAULT_LEASE_SECONDS : t === 'infinite' ? INFINITE_SECONDS : t;
}

function human(seconds: number): string {
  if (seconds === INFINITE_SECONDS) return 'infinite';
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

/** Ranges as host-address pools, overlaps merged (the policy narrows them per request). */
function poolsOf(contexts: readonly Context[], network: number, broadcast: number): { start: string; end: string }[] {
  const spans = contexts
    .filter((c) => c.range.mode === 'dynamic')
    .map((c): [number, number] => [Math.max(network + 1, ipv4ToNumber(c.range.start)), Math.min(broadcast - 1, ipv4ToNumber(c.range.end))])
    .filter(([a, b]) => a <= b)
    .sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const s of spans) {
    const last = merged[merged.length - 1];
    if (last !== undefined && s[0] <= last[1] + 1) last[1] = Math.max(last[1], s[1]);
    else merged.push([s[0], s[1]]);
  }
  return merged.map(([a, b]) => ({ start: numberToIpv4(a), end: numberToIpv4(b) }));
}

/** Lays the dnsmasq configuration over the base config; every error names its line. */
export function translateDnsmasq(input: TranslateInput): TranslateResult {
  const { directives, base } = input;
  const errors: DnsmasqProblem[] = [];
  const warnings: string[] = [];
  const summary: string[] = [];
  const cannot = (at: SourceRef, directive: string, message: string): void => {
    if (input.skipUnknown === true) warnings.push(`${loc(at)}: ${directive}: ${message} (skipped)`);
    else errors.push({ at, directive, code: 'DNSMASQ_CANNOT_RUN', message });
  };
  const model = buildModel(directives);
  const resolve = (p: string): string => (p.startsWith('/') ? p : `${input.cwd ?? process.cwd()}/${p}`.replace(/\/\.\//g, '/'));

  // Interfaces.
  for (const d of directives) {
    if (d.kind === 'interface') {
      for (const name of d.names) {
        if (!name.endsWith('*') && !input.hostInterfaces.some((i) => i.name === name)) {
          cannot(d.at, 'interface', `unknown interface ${name} (IPv4 interfaces here: ${input.hostInterfaces.map((i) => i.name).join(', ') || 'none'})`);
        }
      }
    }
    if (d.kind === 'listen-address') {
      for (const a of d.addresses) {
        if (a !== '127.0.0.1' && !input.hostInterfaces.some((i) => i.address === a)) cannot(d.at, 'listen-address', `no interface here has the address ${a}`);
      }
    }
  }
  const named = model.interfaces.length > 0 || model.listenAddresses.length > 0;
  const served: { iface: HostInterface; mode: 'full' | 'proxy'; contexts: Context[] }[] = [];
  for (const iface of input.hostInterfaces) {
    if (model.exceptInterfaces.some((p) => matchesName(p, iface.name))) continue;
    if (named && !model.interfaces.some((p) => matchesName(p, iface.name)) && !model.listenAddresses.includes(iface.address)) continue;
    const contexts = contextsFor(model, { name: iface.name, address: iface.address, prefixLength: prefixOf(iface.netmask) });
    const first = contexts[0];
    if (first === undefined) {
      if (named && model.interfaces.includes(iface.name)) warnings.push(`interface ${iface.name} (${iface.address}): no dhcp-range on its subnet, so no DHCP there (dnsmasq would serve only DNS)`);
      continue;
    }
    served.push({ iface, mode: first.range.mode === 'proxy' ? 'proxy' : 'full', contexts });
  }
  // dhcp-ranges on no local subnet serve requests relayed to a full interface (giaddr in the
  // range's network, netmask given or guessed by class as dnsmasq does): one subnet per network.
  const relayed = new Map<string, { network: number; prefix: number; ranges: DhcpRangeDirective[] }>();
  for (const r of model.ranges) {
    if (served.some((s) => s.contexts.some((c) => c.range === r))) continue;
    const label = `${loc(r.at)}: dhcp-range ${r.start}${r.mode === 'proxy' ? ',proxy' : `-${r.end}`}`;
    const netmask = r.netmask ?? classfulNetmask(r.start, r.end);
    // A remote proxy range needs no subnet: the proxy responders answer requests relayed from
    // its network (dnsmasq does), as the policy's contexts say.
    if (r.mode === 'proxy' && netmask !== null && served.length > 0) continue;
    // Relayed requests reach full DHCP on any served interface, a proxy-only one included
    // (dnsmasq picks the range by giaddr wherever the request arrives; `dhcp/request-route.ts`).
    if (netmask === null || served.length === 0) {
      warnings.push(`${label}: on no served interface's subnet${netmask === null ? ' and no netmask to serve it through a relay' : ' and no served interface to receive relayed requests'}`);
      continue;
    }
    const prefix = prefixOf(netmask);
    const network = (ipv4ToNumber(r.start) & ipv4ToNumber(netmask)) >>> 0;
    const key = `${numberToIpv4(network)}/${prefix}`;
    const entry = relayed.get(key) ?? { network, prefix, ranges: [] };
    entry.ranges.push(r);
    relayed.set(key, entry);
  }
  if (served.length === 0 && errors.length === 0) {
    const at = model.ranges[0]?.at ?? directives[0]?.at ?? { file: COMMAND_LINE, line: 0 };
    errors.push({
      at, directive: model.ranges.length === 0 ? '' : 'dhcp-range', code: 'DNSMASQ_CANNOT_RUN',
      message: model.ranges.length === 0 ? 'no dhcp-range: nothing to serve' : `no dhcp-range lies on the subnet of an interface bootfleet may serve (${input.hostInterfaces.map((i) => `${i.name} ${i.address}`).join(', ') || 'no IPv4 interfaces'})`,
    });
  }

  const subnets = served
    .filter((s) => s.mode === 'full')
    .map((s) => {
      const prefix = prefixOf(s.iface.netmask);
      const mask = ipv4ToNumber(prefixToNetmask(prefix));
      const network = (ipv4ToNumber(s.iface.address) & mask) >>> 0;
      const broadcast = (network | ~mask) >>> 0;
      const pools = poolsOf(s.contexts, network, broadcast);
      const dynamic = s.contexts.find((c) => c.range.mode === 'dynamic');
      const lease = leaseSeconds(dynamic?.range.leaseTime ?? null);
      summary.push(
        `dnsmasq: ${s.iface.name} ${s.iface.address}: full DHCP, ${pools.length === 0 ? 'dhcp-host addresses only' : `pool ${pools.map((p) => `${p.start}-${p.end}`).join(', ')}`}, lease ${human(lease)}`,
      );
      // A subnet with only static ranges still needs a pool for the schema: the server's own
      // address, which is never handed out.
      return { subnet: `${numberToIpv4(network)}/${prefix}`, pools: pools.length > 0 ? pools : [{ start: s.iface.address, end: s.iface.address }], leaseTime: Math.min(lease, INFINITE_SECONDS) };
    });
  for (const [key, r] of relayed) {
    const mask = ipv4ToNumber(prefixToNetmask(r.prefix));
    const broadcast = (r.network | ~mask) >>> 0;
    const contexts = r.ranges.map((range): Context => ({ range, netmask: numberToIpv4(mask), local: '0.0.0.0', broadcast: numberToIpv4(broadcast), router: '0.0.0.0' }));
    const pools = poolsOf(contexts, r.network, broadcast);
    if (pools.length === 0) {
      warnings.push(`${loc(r.ranges[0]?.at ?? { file: COMMAND_LINE, line: 0 })}: dhcp-range on relayed subnet ${key}: no dynamic addresses, not served`);
      continue;
    }
    // A (guessed) network overlapping a served subnet: dnsmasq serves it all the same (the
    // served subnet's own ranges have that subnet's netmask, so they never match a relay outside
    // it). bootfleet's subnets may not overlap, so the relayed network becomes the blocks of it
    // outside every served subnet that hold part of its pools; the netmask, broadcast and router
    // the client gets are still the (guessed) network's (dnsmasq-policy.ts).
    const taken = subnets.map((x) => {
      const [net, bits] = x.subnet.split('/');
      const lo = ipv4ToNumber(net ?? '0.0.0.0');
      return { lo, hi: (lo | ~ipv4ToNumber(prefixToNetmask(Number(bits)))) >>> 0 };
    });
    const blocks = blocksOutside({ network: r.network, prefix: r.prefix }, taken);
    const lease = leaseSeconds(r.ranges.find((x) => x.mode === 'dynamic')?.leaseTime ?? null);
    let servedAny = false;
    for (const b of blocks) {
      // A block's first and last addresses stay out of its pools (bootfleet's schema takes them
      // for network and broadcast) unless the block is the whole network, whose pools are right.
      const whole = b.prefix === r.prefix;
      const lo = b.network + (whole || b.prefix > 30 ? 0 : 1);
      const hi = ((b.network | ~ipv4ToNumber(prefixToNetmask(b.prefix))) >>> 0) - (whole || b.prefix > 30 ? 0 : 1);
      const clipped = pools
        .map((p) => ({ start: Math.max(ipv4ToNumber(p.start), lo), end: Math.min(ipv4ToNumber(p.end), hi) }))
        .filter((p) => p.start <= p.end)
        .map((p) => ({ start: numberToIpv4(p.start), end: numberToIpv4(p.end) }));
      if (clipped.length === 0) continue;
      servedAny = true;
      const cidr = `${numberToIpv4(b.network)}/${b.prefix}`;
      const part = cidr === key ? '' : ` (the part of ${key} outside the served subnets)`;
      summary.push(`dnsmasq: relayed subnet ${cidr}${part} (requests with giaddr in it): pool ${clipped.map((p) => `${p.start}-${p.end}`).join(', ')}, lease ${human(lease)}`);
      subnets.push({ subnet: cidr, pools: clipped, leaseTime: lease });
    }
    if (!servedAny) {
      warnings.push(`${loc(r.ranges[0]?.at ?? { file: COMMAND_LINE, line: 0 })}: dhcp-range on relayed network ${key}: its addresses all lie in served subnets, not served through a relay`);
    }
  }
  for (const s of served.filter((x) => x.mode === 'proxy')) summary.push(`dnsmasq: ${s.iface.name} ${s.iface.address}: proxyDHCP (ports 67 and 4011)`);

  // TFTP.
  let tftpEnabled = false;
  let tftpRoot: string | null = null;
  let rootAt: SourceRef | null = null;
  /** enable-tftp interface names; null: every served interface (a bare enable-tftp). */
  let tftpInterfaces: string[] | null = [];
  const ifaceRoots = new Map<string, { dir: string; at: SourceRef }>();
  let maxTransfers = DEFAULT_TFTP_MAX;
  let transferPorts: DnsmasqTftpExtras['transferPorts'] = null;
  let tftpNoFail = false;
  let testOnly = false;
  let leaseFile = DEFAULT_LEASE_FILE;
  for (const d of directives) {
    switch (d.kind) {
      case 'enable-tftp':
        tftpEnabled = true;
        if (d.names.length === 0) tftpInterfaces = null;
        else if (tftpInterfaces !== null) tftpInterfaces.push(...d.names);
        for (const n of d.names) {
          if (!served.some((s) => matchesName(n, s.iface.name))) warnings.push(`${loc(d.at)}: enable-tftp: ${n} is not served: bootfleet runs TFTP only on interfaces it serves DHCP on`);
        }
        break;
      case 'tftp-root':
        // dnsmasq(8): with an interface, "the directory is only used for TFTP requests via that
        // interface"; it replaces the plain tftp-root there. The last line for a name wins.
        if (d.iface !== null) ifaceRoots.set(d.iface, { dir: resolve(d.dir), at: d.at });
        else {
          tftpRoot = resolve(d.dir);
          rootAt = d.at;
        }
        break;
      case 'tftp-max':
        maxTransfers = d.value;
        break;
      case 'tftp-port-range':
        transferPorts = { start: d.start, end: d.end };
        break;
      case 'dhcp-leasefile':
        if (d.path !== null) leaseFile = resolve(d.path);
        break;
      case 'port':
        if (d.value !== 0) warnings.push(`${loc(d.at)}: port=${d.value}: DNS is out of scope, bootfleet serves no DNS`);
        break;
      case 'ignored':
        if (d.name === 'tftp-no-fail') tftpNoFail = true;
        if (d.name === 'test') testOnly = true;
        break;
      default:
        break;
    }
  }
  const has = (kind: Directive['kind']): boolean => directives.some((d) => d.kind === kind);
  // Where TFTP runs: the enable-tftp interfaces (all served ones for a bare enable-tftp), each
  // from its own tftp-root if one names it, else the plain tftp-root.
  const rootByAddress: Record<string, string> = {};
  if (tftpEnabled) {
    const names = tftpInterfaces;
    for (const s of served) {
      if (names !== null && !names.some((n) => matchesName(n, s.iface.name))) continue;
      const root = ifaceRoots.get(s.iface.name)?.dir ?? tftpRoot;
      if (root === null) warnings.push(`enable-tftp on ${s.iface.name} without a tftp-root for it: no TFTP there (dnsmasq would serve its working directory; bootfleet serves only a named root)`);
      else rootByAddress[s.iface.address] = root;
    }
    if (Object.keys(rootByAddress).length === 0 && tftpRoot === null && ifaceRoots.size === 0) {
      warnings.push('enable-tftp without tftp-root: TFTP not started (dnsmasq would serve its working directory; bootfleet serves only a named root)');
    }
    tftpEnabled = Object.keys(rootByAddress).length > 0;
  }
  const roots = new Map<string, SourceRef>();
  if (tftpRoot !== null && rootAt !== null) roots.set(tftpRoot, rootAt);
  for (const r of ifaceRoots.values()) roots.set(r.dir, r.at);
  for (const [dir, at] of roots) {
    if (!tftpEnabled || !Object.values(rootByAddress).includes(dir) || input.isDirectory(dir)) continue;
    if (tftpNoFail) warnings.push(`tftp-root ${dir} is not a readable directory (tftp-no-fail: starting anyway)`);
    else cannot(at, 'tftp-root', `${dir} is not a readable directory (dnsmasq would not start either; tftp-no-fail starts anyway)`);
  }
  if (tftpRoot === null) tftpRoot = Object.values(rootByAddress)[0] ?? null;
  const noBlocksize = has('tftp-no-blocksize');
  if (tftpEnabled) {
    summary.push(
      `dnsmasq: TFTP ${served.filter((s) => rootByAddress[s.iface.address] !== undefined).map((s) => `on ${s.iface.name} from ${rootByAddress[s.iface.address]}`).join(', ')}${noBlocksize ? ', blocks of 512 bytes' : ''}${has('tftp-lowercase') ? ', names in lower case' : ''}${has('tftp-secure') ? ', secure' : ''}${transferPorts ? `, transfer ports ${transferPorts.start}-${transferPorts.end}` : ''}, at most ${maxTransfers} transfers`,
    );
  }
  const dns = directives.filter((d) => d.kind === 'ignored' && d.why === 'dns').length;
  if (dns > 0) warnings.push(`${dns} DNS directive${dns === 1 ? '' : 's'} ignored: DNS is out of scope`);
  for (const d of directives) if (d.kind === 'ignored' && d.why === 'skipped') warnings.push(`${loc(d.at)}: ${d.name}: skipped (${d.note})`);
  summary.push(`dnsmasq: leases kept in bootfleet's store; ${leaseFile} is read once at start (if present) and never written`);

  if (errors.length > 0) return { ok: false, errors, warnings };

  const b = base.config;
  if (base.file !== null && base.keys.has('interfaces')) warnings.push(`${base.file}: interfaces: replaced by the dnsmasq configuration`);
  const logDhcp = has('log-dhcp');
  const raw = {
    ...b,
    interfaces: served.map((s) => ({ name: s.iface.name, mode: s.mode, ipv6RaForIpxe: 'off', proxyPresent: false, allowOtherDhcp: false })),
    dhcp: { ...b.dhcp, subnets, reservations: [], authoritative: model.authoritative, conflictDetection: !model.noPing },
    tftp: { ...b.tftp, enabled: tftpEnabled, root: tftpRoot ?? b.tftp.root, maxBlksize: noBlocksize ? 512 : b.tftp.maxBlksize },
    log: { ...b.log, level: logDhcp ? 'debug' : b.log.level },
    api: base.keys.has('api') ? b.api : { ...b.api, enabled: false },
  };
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const at = directives[0]?.at ?? { file: COMMAND_LINE, line: 0 };
    return {
      ok: false,
      warnings,
      errors: parsed.error.issues.map((i) => ({ at, directive: '', code: 'DNSMASQ_CANNOT_RUN' as const, message: `the translated config is invalid at ${i.path.join('.')}: ${i.message}` })),
    };
  }
  const semantic = checkSemantics(parsed.data);
  if (semantic.errors.length > 0) {
    const at = model.ranges[0]?.at ?? { file: COMMAND_LINE, line: 0 };
    return { ok: false, warnings, errors: semantic.errors.map((f) => ({ at, directive: 'dhcp-range', code: 'DNSMASQ_CANNOT_RUN' as const, message: f.message })) };
  }
  return {
    ok: true,
    plan: {
      model,
      config: parsed.data,
      serveHttp: base.keys.has('http'),
      tftp: { lowercaseNames: has('tftp-lowercase'), transferPorts, secure: has('tftp-secure'), maxTransfers, rootByAddress },
      leaseFile,
      logDhcp,
      hostNets: input.hostInterfaces.map((i) => ({ address: i.address, prefixLength: prefixOf(i.netmask) })),
      hostsFiles: hostsFilesOf(directives, resolve),
      testOnly,
      summary,
      warnings,
    },
  };
}

/** dnsmasq's default DNS port: its hosts files are read unless `port=0`. */
const DNS_PORT = 53;

/**
 * The hosts files dnsmasq reads for `dhcp-boot` / `pxe-service` server names: none when its
 * DNS side is off (the last `port` line is 0: "DNS disabled", no cache), else /etc/hosts unless
 * `no-hosts`, then every `addn-hosts` in reading order.
 */
function hostsFilesOf(directives: readonly Directive[], resolve: (p: string) => string): string[] {
  let port = DNS_PORT;
  let noHosts = false;
  const extra: string[] = [];
  for (const d of directives) {
    if (d.kind === 'port') port = d.value;
    else if (d.kind === 'ignored' && d.name === 'no-hosts') noHosts = true;
    else if (d.kind === 'ignored' && d.name === 'addn-hosts' && d.arg !== null && d.arg !== '') extra.push(resolve(d.arg));
  }
  if (port === 0) return [];
  return [...(noHosts ? [] : ['/etc/hosts']), ...extra];
}

/**
 * The largest CIDR blocks of `net` that share no address with `taken` (inclusive number
 * ranges): the whole network when nothing overlaps, else its halves, recursively.
 */
export function blocksOutside(net: { network: number; prefix: number }, taken: readonly { lo: number; hi: number }[]): { network: number; prefix: number }[] {
  const lo = net.network;
  const hi = (net.network + 2 ** (32 - net.prefix) - 1) >>> 0;
  if (!taken.some((t) => t.lo <= hi && lo <= t.hi)) return [net];
  if (taken.some((t) => t.lo <= lo && hi <= t.hi) || net.prefix >= 32) return [];
  const half = 2 ** (31 - net.prefix);
  return [
    ...blocksOutside({ network: lo, prefix: net.prefix + 1 }, taken),
    ...blocksOutside({ network: (lo + half) >>> 0, prefix: net.prefix + 1 }, taken),
  ];
}
