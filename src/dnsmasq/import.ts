/**
 * `bootfleet import dnsmasq FILE`: a dnsmasq configuration → the closest bootfleet YAML, with
 * a `# not carried over: <line> (<why>)` comment for every directive bootfleet's own config
 * cannot express yet, so nothing disappears quietly. The result is meant to be read and
 * finished by a person; `bootfleet serve --dnsmasq-conf` (later) runs the dnsmasq file as is.
 *
 * How boot lines map: bootfleet tells BIOS, UEFI and iPXE clients apart by itself (README
 * "What each client gets"), so a dhcp-boot line becomes `boot.bios` / `boot.uefi` / … when its
 * tags say which firmware it is for (tags set by `dhcp-match` on option 93); lines for iPXE
 * (tags from option 175 or user class iPXE) are replaced by bootfleet's own iPXE script.
 */
import { stringify } from 'yaml';
import type { DhcpBootDirective, DhcpHostDirective, DhcpRangeDirective, Directive } from './directive.js';
import { loadDnsmasqConfFile, type ConfFs, type DnsmasqConf } from './load.js';
import { formatDnsmasqProblem, type DnsmasqProblem } from './problems.js';
import { hexColons, ipv4ToNumber, numberToIpv4 } from './text.js';

export interface ImportResult {
  yaml: string;
  /** Lines that could not even be read (bad values); they are also listed in the YAML. */
  problems: DnsmasqProblem[];
  /** Directives neither carried over nor commented on: always empty unless the importer has a gap (tests check). */
  unaccounted: Directive[];
}

/** Reads `file` (and its includes) and converts it. Unknown directives become comments, not errors. */
export function importDnsmasqFile(file: string, opts: { fs?: ConfFs } = {}): ImportResult {
  const conf = loadDnsmasqConfFile(file, { skipUnknown: true, ...(opts.fs ? { fs: opts.fs } : {}) });
  const { yaml, unaccounted } = convert(conf, file);
  return { yaml, problems: conf.problems, unaccounted };
}

/** Converts a loaded configuration; `source` names it in the header. */
export function importDnsmasqConf(conf: DnsmasqConf, source: string): string {
  return convert(conf, source).yaml;
}

interface Note {
  line: string;
  why: string;
}

type Firmware = 'bios' | 'uefi' | 'uefiIa32' | 'arm64';

/** Option 93 values → the bootfleet boot key serving them. */
function firmwareFor(arches: ReadonlySet<number>): Firmware | null {
  const all = [...arches];
  if (all.length === 0) return null;
  if (all.every((a) => a === 0)) return 'bios';
  if (all.every((a) => a === 7 || a === 9)) return 'uefi';
  if (all.every((a) => a === 6)) return 'uefiIa32';
  if (all.every((a) => a === 11)) return 'arm64';
  return null;
}

/** dnsmasq CSA numbers → bootfleet menu CSA names (bootfleet's X86-64_EFI covers arch 7 and 9). */
const CSA_NAMES: Readonly<Record<number, string>> = {
  0: 'x86PC', 1: 'PC98', 2: 'IA64_EFI', 3: 'Alpha', 4: 'Arc_x86', 5: 'Intel_Lean_Client', 6: 'IA32_EFI', 7: 'X86-64_EFI', 8: 'Xscale_EFI', 9: 'X86-64_EFI', 10: 'ARM32_EFI', 11: 'ARM64_EFI',
};

function where(d: Directive): string {
  return `${d.at.file}:${d.at.line}`;
}

function textOf(d: Directive): string {
  return d.text ?? d.kind;
}

function convert(conf: DnsmasqConf, source: string): { yaml: string; unaccounted: Directive[] } {
  const accounted = new Set<Directive>();
  const carried = (d: Directive): void => {
    accounted.add(d);
  };
  const notes: Note[] = [];
  const partial: Note[] = [];
  const same: Note[] = [];
  const skip = (d: Directive, why: string): void => {
    accounted.add(d);
    notes.push({ line: `${textOf(d)}  [${where(d)}]`, why });
  };
  const partly = (d: Directive, why: string): void => {
    accounted.add(d);
    partial.push({ line: `${textOf(d)}  [${where(d)}]`, why });
  };
  const alike = (d: Directive, why: string): void => {
    accounted.add(d);
    same.push({ line: `${textOf(d)}  [${where(d)}]`, why });
  };
  const ds = conf.directives;

  // Which tags mean which firmware: dhcp-match on option 93, and iPXE (175, user class iPXE/gPXE).
  const archTags = new Map<string, Set<number>>();
  const ipxeTags = new Set<string>();
  for (const d of ds) {
    if (d.kind === 'dhcp-match' && d.spec.space.kind === 'dhcp') {
      if (d.spec.code === 93 && d.spec.value.form === 'number' && d.spec.value.bytes.length === 2) {
        const set = archTags.get(d.setTag) ?? new Set<number>();
        set.add(d.spec.value.bytes.readUInt16BE(0));
        archTags.set(d.setTag, set);
      }
      if (d.spec.code === 175 && d.spec.value.bytes.length === 0) ipxeTags.add(d.setTag);
      if (d.spec.code === 77 && /^[ig]PXE$/.test(d.spec.value.bytes.toString('utf8'))) ipxeTags.add(d.setTag);
    }
    if (d.kind === 'dhcp-userclass' && /^[ig]PXE$/.test(d.data.toString('utf8'))) ipxeTags.add(d.setTag);
  }
  const usedTags = new Set<string>();

  // Boot files: the line dnsmasq would pick for each firmware (the last one in the file).
  const boot: Partial<Record<Firmware, DhcpBootDirective>> = {};
  const bootLines = ds.filter((d): d is DhcpBootDirective => d.kind === 'dhcp-boot');
  for (const b of bootLines) {
    const positive = b.filters.filter((f) => !f.negated).map((f) => f.name);
    if (positive.some((t) => ipxeTags.has(t))) {
      positive.filter((t) => ipxeTags.has(t)).forEach((t) => usedTags.add(t));
      skip(b, 'a boot file for iPXE: bootfleet gives iPXE its own script (/boot.ipxe) built from profiles');
      continue;
    }
    let firmware: Firmware | null;
    if (positive.length === 0) firmware = 'bios';
    else {
      const arches = new Set<number>();
      for (const t of positive) for (const a of archTags.get(t) ?? []) arches.add(a);
      firmware = positive.every((t) => archTags.has(t)) ? firmwareFor(arches) : null;
      if (firmware !== null) positive.forEach((t) => usedTags.add(t));
    }
    if (firmware === null || b.file === null) {
      skip(b, b.file === null ? 'no boot file on this line' : `its tags (${positive.join(', ')}) do not say which firmware it is for`);
      continue;
    }
    const earlier = boot[firmware];
    if (earlier !== undefined) skip(earlier, `a later dhcp-boot line for the same clients wins in dnsmasq (${where(b)})`);
    boot[firmware] = b;
    carried(b);
    if (b.serverName !== null || b.serverAddress !== null || b.tftpServerName !== null) {
      partly(b, 'the file is carried over, the server name/address is not: bootfleet serves the boot file itself');
    }
  }

  // Subnets, pools and the options bootfleet has keys for.
  const ranges = ds.filter((d): d is DhcpRangeDirective => d.kind === 'dhcp-range');
  const subnets: Record<string, unknown>[] = [];
  const subnetByCidr = new Map<string, Record<string, unknown>>();
  for (const r of ranges) {
    if (r.mode !== 'dynamic') {
      if (r.mode === 'static') skip(r, 'a static-only range: bootfleet subnets need a pool');
      else carried(r);
      continue;
    }
    carried(r);
    const mask = r.netmask ?? '255.255.255.0';
    const prefix = [...numberToIpv4(ipv4ToNumber(mask)).split('.')].reduce((n, o) => n + Number(o).toString(2).replace(/0/g, '').length, 0);
    const cidr = `${numberToIpv4((ipv4ToNumber(r.start) & ipv4ToNumber(mask)) >>> 0)}/${prefix}`;
    let subnet = subnetByCidr.get(cidr);
    if (subnet === undefined) {
      subnet = { subnet: cidr, pools: [] as { start: string; end: string }[] };
      subnetByCidr.set(cidr, subnet);
      subnets.push(subnet);
    }
    (subnet['pools'] as { start: string; end: string }[]).push({ start: r.start, end: r.end });
    if (r.netmask === null) partly(r, `no netmask given: dnsmasq takes it from the interface; assumed /24 (${cidr})`);
    if (typeof r.leaseTime === 'number') subnet['leaseTime'] = r.leaseTime;
    if (r.leaseTime === 'infinite') partly(r, 'infinite lease time: bootfleet leases always expire; kept the default');
    if (r.setTag !== null || r.filters.length > 0) partly(r, 'the pool is carried over, its tags are not: bootfleet does not choose options by tag');
  }
  const proxy = ranges.some((r) => r.mode === 'proxy');
  const onlySubnet = subnets.length === 1 ? subnets[0] : undefined;

  for (const d of ds) {
    if (d.kind !== 'dhcp-option') continue;
    const { spec } = d;
    const untagged = spec.tags.length === 0 && spec.space.kind === 'dhcp' && !d.force;
    const addrs = spec.value.form === 'addresses' ? Array.from({ length: spec.value.bytes.length / 4 }, (_, i) => Array.from(spec.value.bytes.subarray(4 * i, 4 * i + 4)).join('.')) : [];
    if (untagged && onlySubnet !== undefined && (spec.code === 3 || spec.code === 6) && addrs.length > 0 && !addrs.includes('0.0.0.0')) {
      if (spec.code === 3) onlySubnet['router'] = addrs[0];
      else onlySubnet['dns'] = addrs;
      carried(d);
      if (spec.code === 3 && addrs.length > 1) partly(d, 'bootfleet sends one router; the first is carried over');
      continue;
    }
    if (untagged && onlySubnet !== undefined && spec.code === 15 && spec.value.form === 'text') {
      onlySubnet['domain'] = spec.value.bytes.toString('utf8');
      carried(d);
      continue;
    }
    const why = addrs.includes('0.0.0.0')
      ? '0.0.0.0 ("this server") cannot be written in bootfleet config yet'
      : spec.code === 3 || spec.code === 6 || spec.code === 15
        ? 'tagged, forced or with several subnets: bootfleet sets router/dns/domain per subnet only'
        : 'bootfleet has no free-form DHCP options yet';
    skip(d, why);
  }

  const reservations: Record<string, unknown>[] = [];
  for (const d of ds) {
    if (d.kind !== 'dhcp-host') continue;
    const res = reservationOf(d);
    if (typeof res !== 'string' && !subnets.some((sn) => inCidr(res['address'] as string, sn['subnet'] as string))) {
      skip(d, 'its address is on no subnet carried over (dnsmasq: a host for another network)');
      continue;
    }
    if (typeof res === 'string') {
      skip(d, res);
      continue;
    }
    reservations.push(res);
    carried(d);
    const extras = [d.leaseTime !== null ? 'lease time' : null, d.setTags.length > 0 ? 'set: tags' : null, d.filters.length > 0 ? 'tag: filters' : null, d.clientId !== null ? 'client id' : null]
      .filter((x): x is string => x !== null);
    if (extras.length > 0) partly(d, `carried over as a reservation without its ${extras.join(', ')}`);
  }

  // Interfaces.
  const names = ds.flatMap((d) => (d.kind === 'interface' ? d.names : []));
  const plain = names.filter((n) => !n.includes('*') && n !== '');
  for (const d of ds) {
    if (d.kind !== 'interface') continue;
    if (d.names.some((n) => n.includes('*'))) skip(d, 'interface wildcards: bootfleet serves named interfaces only');
    else carried(d);
  }
  const mode = proxy && subnets.length === 0 ? 'proxy' : 'full';
  for (const r of ranges) if (r.mode === 'proxy' && subnets.length > 0) partly(r, 'proxy and address ranges mixed: every interface is set to full; set proxy on the right one');
  const interfaces = (plain.length > 0 ? plain : ['CHANGE-ME']).map((name) => ({ name, mode }));

  const tftpRoots = ds.filter((d) => d.kind === 'tftp-root');
  const tftp: Record<string, unknown> = { enabled: ds.some((d) => d.kind === 'enable-tftp') };
  for (const d of tftpRoots) {
    if (d.kind === 'tftp-root' && d.iface === null) {
      tftp['root'] = d.dir;
      carried(d);
    } else skip(d, 'a per-interface TFTP root');
  }

  // PXE menu (proxy mode in bootfleet), when no line is tagged.
  const services = ds.filter((d) => d.kind === 'pxe-service');
  const prompts = ds.filter((d) => d.kind === 'pxe-prompt');
  let menu: Record<string, unknown> | undefined;
  const items: Record<string, string>[] = [];
  for (const s of services) {
    if (s.kind !== 'pxe-service') continue;
    const csa = CSA_NAMES[s.csa];
    if (s.filters.length > 0 || csa === undefined || s.serverAddress !== null || s.serverName !== null || (s.basename === null && s.serviceType !== 0)) {
      skip(s, s.filters.length > 0 ? 'a tagged menu item' : csa === undefined ? 'an architecture bootfleet menus do not name' : 'a boot server elsewhere (address, name or service type)');
      continue;
    }
    const plan = s.basename === null ? 'local' : s.basename.includes('.') ? s.basename : `${s.basename}.0`;
    items.push({ label: s.menuText, csa, plan });
    carried(s);
    if (s.csa === 7 || s.csa === 9) partly(s, `bootfleet shows X86-64_EFI items to arch 7 and 9 alike; dnsmasq shows this one to arch ${s.csa} only`);
  }
  if (items.length > 0) {
    menu = { items };
    const p = prompts.find((x) => x.kind === 'pxe-prompt' && x.filters.length === 0);
    if (p !== undefined && p.kind === 'pxe-prompt') {
      menu['prompt'] = { text: p.prompt, timeout: p.timeout };
      carried(p);
    }
  }
  for (const p of prompts) if (p.kind === 'pxe-prompt' && (p.filters.length > 0 || items.length === 0)) skip(p, p.filters.length > 0 ? 'a tagged prompt' : 'a prompt without menu items');

  // Everything else: a note for each line.
  const handled = new Set<Directive>([...bootLines, ...ranges, ...services, ...prompts, ...tftpRoots]);
  for (const d of ds) {
    if (handled.has(d) || d.kind === 'dhcp-option' || d.kind === 'dhcp-host' || d.kind === 'interface') continue;
    switch (d.kind) {
      case 'ignored':
        skip(d, d.why === 'skipped' ? `${d.note}` : d.note);
        break;
      case 'dhcp-match':
      case 'dhcp-vendorclass':
      case 'dhcp-userclass':
      case 'dhcp-mac':
      case 'tag-if': {
        const tags = d.kind === 'tag-if' ? d.set : [d.setTag];
        if (tags.some((t) => usedTags.has(t))) alike(d, 'bootfleet tells BIOS, UEFI and iPXE clients apart by itself');
        else skip(d, 'tags are not carried over: bootfleet chooses by firmware, machine and group');
        break;
      }
      case 'dhcp-no-override':
        alike(d, 'bootfleet always keeps the boot file in the BOOTP file field');
        break;
      case 'dhcp-authoritative':
      case 'no-ping':
      case 'enable-tftp':
      case 'log-dhcp':
        carried(d);
        break;
      case 'bind-interfaces':
        alike(d, 'bootfleet binds to the named interfaces only');
        break;
      case 'port':
        if (d.value === 0) alike(d, 'bootfleet has no DNS server');
        else skip(d, 'DNS is out of scope');
        break;
      case 'conf-file':
      case 'conf-dir':
        alike(d, `included: ${d.files.length === 0 ? 'no files' : d.files.join(', ')}`);
        break;
      case 'dhcp-leasefile':
        skip(d, 'bootfleet keeps leases in its data directory (SQLite)');
        break;
      default:
        skip(d, 'no bootfleet setting for it yet');
    }
  }
  for (const p of conf.problems) notes.push({ line: formatDnsmasqProblem(p), why: 'could not be read' });

  const config: Record<string, unknown> = { interfaces };
  const dhcp: Record<string, unknown> = { authoritative: ds.some((d) => d.kind === 'dhcp-authoritative') };
  // dnsmasq pings before an offer unless told not to; bootfleet's ARP check is its counterpart.
  if (ds.some((d) => d.kind === 'no-ping')) dhcp['conflictDetection'] = false;
  if (subnets.length > 0) dhcp['subnets'] = subnets;
  if (reservations.length > 0) dhcp['reservations'] = reservations;
  config['dhcp'] = dhcp;
  config['tftp'] = tftp;
  const bootOut: Record<string, unknown> = {};
  for (const k of ['bios', 'uefi', 'uefiIa32', 'arm64'] as const) {
    const b = boot[k];
    if (b?.file) bootOut[k] = b.file;
  }
  if (menu !== undefined) bootOut['menu'] = menu;
  if (Object.keys(bootOut).length > 0) config['boot'] = bootOut;
  if (ds.some((d) => d.kind === 'log-dhcp')) config['log'] = { level: 'debug', format: 'text' };

  const header = [
    `# bootfleet configuration imported from the dnsmasq configuration ${source}`,
    '# (bootfleet import dnsmasq). Review before use: bootfleet chooses BIOS, UEFI and iPXE boot files',
    '# itself (README "What each client gets"); kernels and scripts go in profiles.',
    ...(interfaces.some((i) => i.name === 'CHANGE-ME') ? ['# The dnsmasq configuration names no interface: replace CHANGE-ME with the one to serve.'] : []),
    '',
  ];
  const footer = [
    '',
    ...same.map((n) => `# same in bootfleet: ${n.line} (${n.why})`),
    ...partial.map((n) => `# partly carried over: ${n.line} (${n.why})`),
    ...notes.map((n) => `# not carried over: ${n.line} (${n.why})`),
  ];
  const yaml = `${header.join('\n')}${stringify(config, { lineWidth: 0 })}${footer.join('\n')}\n`;
  return { yaml, unaccounted: ds.filter((d) => !accounted.has(d)) };
}

function inCidr(addr: string, cidr: string): boolean {
  const [net, bits] = cidr.split('/');
  const mask = Number(bits) === 0 ? 0 : (0xffffffff << (32 - Number(bits))) >>> 0;
  return ((ipv4ToNumber(addr) & mask) >>> 0) === ((ipv4ToNumber(net ?? '0.0.0.0') & mask) >>> 0);
}

/** A dhcp-host as a bootfleet reservation, or why it cannot be one. */
function reservationOf(d: DhcpHostDirective): Record<string, unknown> | string {
  if (d.ignore) return '"ignore": bootfleet has no per-host ignore yet';
  if (d.hwaddrs.length !== 1) return d.hwaddrs.length === 0 ? 'matched by client id or name, not MAC: reservations are by MAC' : 'several MACs for one address';
  const hw = d.hwaddrs[0];
  if (hw === undefined || hw.wildcard.includes(true) || hw.bytes.length !== 6) return 'a MAC pattern with wildcards';
  if (d.address === null) return 'no address: bootfleet reservations fix an address';
  const out: Record<string, unknown> = { mac: hexColons(hw.bytes), address: d.address };
  if (d.hostname !== null && /^[A-Za-z0-9]([A-Za-z0-9-]{0,62})$/.test(d.hostname)) out['hostname'] = d.hostname;
  return out;
}
