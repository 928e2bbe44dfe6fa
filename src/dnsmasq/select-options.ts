/**
 * Which dhcp-boot and which dhcp-option lines apply to a request, decided exactly as dnsmasq
 * 2.90 decides (dhcp-common.c `option_filter`, rfc2131.c `find_boot`, `do_options`). The
 * rules, in the order they are applied:
 *
 * dhcp-boot
 *  B1. The first line (newest first: the LAST in the file) whose `tag:` conditions all hold,
 *      counting only lines that have at least one condition (`tag:!x` counts as one).
 *  B2. Only if none: the first untagged line (again: the last untagged one in the file).
 *
 * dhcp-option / dhcp-option-force (plain options; encap:, vendor: and vi-encap: lines are
 * handled separately below)
 *  O1. A tagged line is eligible when all its conditions hold on the request's tags WITHOUT
 *      the dhcp-range tag.
 *  O2. With the dhcp-range tag added, lines that relied on a tag being absent and now fail
 *      are dropped; tagged lines that hold only with it become eligible, unless a line from
 *      O1 already gives the same option — the range tag is second class ("to make it easy
 *      to override options for individual hosts", dnsmasq(8)).
 *  O3. An untagged line is eligible only when no tagged line for the same option is.
 *  O4. Of several eligible lines for one option, the one LAST in the file wins.
 *  O5. Sent when the client asked for it in option 55 (or sent no option 55 at all), or
 *      always for dhcp-option-force.
 *
 * encap:N — every line for N whose conditions hold (untagged ones too) is sent inside
 * option N, newest first, when the client asks for N (or a line is forced); vendor: — lines
 * whose vendor text occurs in the client's option 60, conditions holding (untagged ok), go
 * into option 43 after dnsmasq's own PXE sub-options.
 */
import { hostAddress } from './hosts-file.js';
import type { DhcpBootDirective } from './directive.js';
import type { Context } from './contexts.js';
import type { DnsmasqModel, OptionLine } from './model.js';
import type { SourceRef } from './problems.js';
import { conditionsHold, runTagIf } from './tags.js';
import { PXE_VENDOR } from './classify.js';

/** One option instance of the reply (an option may appear more than once; the decoder joins them). */
export interface OptionInstance {
  code: number;
  bytes: Buffer;
  /** The line that gave it, or null for what dnsmasq adds by itself (PXE vendor class, menu). */
  at: SourceRef | null;
  why: string;
}

/** The boot-relevant parts of a reply. */
export interface ReplyParts {
  siaddr: string;
  sname: string;
  file: string;
  options: OptionInstance[];
  boot: DhcpBootDirective | null;
  /** The tags the lines were chosen with (range tag included). */
  tags: Set<string>;
}

/** O1–O4: the plain option lines that apply, and the tag set find_boot uses. */
export function filterOptions(model: DnsmasqModel, base: ReadonlySet<string>, rangeTag: string | null): { eligible: Set<OptionLine>; tags: Set<string> } {
  const plain = model.optionChain.filter((o) => o.space.kind === 'dhcp');
  const eligible = new Set<OptionLine>();
  let tags = runTagIf(model.tagIfs, base);
  for (const o of plain) if (conditionsHold(o.tags, tags, false)) eligible.add(o);
  if (rangeTag !== null) {
    tags = runTagIf(model.tagIfs, new Set([...base, rangeTag]));
    for (const o of plain) if (eligible.has(o) && !conditionsHold(o.tags, tags, false)) eligible.delete(o);
    const before = new Set(eligible);
    for (const o of plain) {
      if (eligible.has(o) || !conditionsHold(o.tags, tags, false)) continue;
      if (![...before].some((t) => t.code === o.code)) eligible.add(o);
    }
  }
  for (const o of plain) {
    if (o.tags.length !== 0 || eligible.has(o)) continue;
    if (![...eligible].some((t) => t.code === o.code)) eligible.add(o);
  }
  // Newest first: keep the first eligible line per option, i.e. the last one in the file.
  const seen = new Set<number>();
  for (const o of plain) {
    if (!eligible.has(o)) continue;
    if (seen.has(o.code)) eligible.delete(o);
    else seen.add(o.code);
  }
  return { eligible, tags };
}

/** B1–B2. */
export function findBoot(model: DnsmasqModel, tags: ReadonlySet<string>): DhcpBootDirective | null {
  return model.bootChain.find((b) => conditionsHold(b.filters, tags, false)) ?? model.bootChain.find((b) => conditionsHold(b.filters, tags, true)) ?? null;
}

/** A sub-option of 43 (or another encapsulating option) ready to be written. */
interface SubOption {
  code: number;
  bytes: Buffer;
  isString: boolean;
  force: boolean;
  at: SourceRef | null;
}

/**
 * dnsmasq `match_vendor_opts`: vendor: lines whose text occurs in `vendorClass` (the client's
 * option 60, or the one we send); pxe-prompt lines count as `vendor:PXEClient`.
 */
export function vendorLines(model: DnsmasqModel, vendorClass: Buffer | null): OptionLine[] {
  if (vendorClass === null) return [];
  return model.optionChain.filter((o) => {
    if (o.space.kind !== 'vendor') return false;
    const want = Buffer.from(o.pxePrompt ? PXE_VENDOR : o.space.vendorClass, 'utf8');
    return want.length === 0 || vendorClass.includes(want);
  });
}

/** dnsmasq `prune_vendor_opts`: keep vendor lines whose conditions hold (untagged ok); forced if any kept line is forced. */
function pruneVendor(lines: readonly OptionLine[], tags: ReadonlySet<string>): { kept: OptionLine[]; force: boolean } {
  const kept = lines.filter((o) => conditionsHold(o.tags, tags, true));
  return { kept, force: kept.some((o) => o.force) };
}

function sub(o: OptionLine): SubOption {
  return { code: o.code, bytes: o.value.bytes, isString: o.value.isString, force: o.force, at: o.at };
}

/** The value as sent: text gets a NUL for clients that NUL-terminate their own (dnsmasq `do_opt`). */
function valueBytes(bytes: Buffer, isString: boolean, nullTerm: boolean): Buffer {
  return isString && nullTerm && bytes.length !== 255 ? Buffer.concat([bytes, Buffer.from([0])]) : bytes;
}

/**
 * dnsmasq `do_encap_opts`: sub-options in order, code-length-value, the last instance ending
 * with END (255); split into several instances of `code` when they do not fit in one.
 */
function encapsulate(code: number, subs: readonly SubOption[], nullTerm: boolean, why: string): OptionInstance[] {
  const out: OptionInstance[] = [];
  let group: Buffer[] = [];
  let len = 0;
  for (const s of subs) {
    const v = valueBytes(s.bytes, s.isString, nullTerm);
    const piece = Buffer.concat([Buffer.from([s.code, v.length]), v]);
    if (len + piece.length > 255) {
      out.push({ code, bytes: Buffer.concat(group), at: null, why });
      group = [];
      len = 0;
    }
    group.push(piece);
    len += piece.length;
  }
  if (len !== 0) out.push({ code, bytes: Buffer.concat([...group, Buffer.from([255])]), at: null, why });
  return out;
}

/**
 * dnsmasq `pxe_uefi_workaround` (without port 4011): true when exactly one pxe-service with a
 * boot file fits this UEFI client (arch ≥ 6), in which case dnsmasq sends no menu.
 */
function uefiSingleService(model: DnsmasqModel, arch: number, tags: ReadonlySet<string>): boolean {
  if (arch < 6) return false;
  return model.pxeServices.filter((s) => s.csa === arch && s.basename !== null && conditionsHold(s.filters, tags, true)).length === 1;
}

/**
 * dnsmasq `pxe_opts`: its own PXE sub-options of 43 for this architecture — discovery control
 * (6), a prompt (10) unless a pxe-prompt line applies, boot servers (8), the menu (9) — to be
 * sent before the configured vendor lines. Null when the menu does not fit.
 */
function pxeSubOptions(model: DnsmasqModel, arch: number, tags: ReadonlySet<string>, local: string, promptConfigured: boolean): SubOption[] | null {
  let discovery = 3; // multicast and broadcast discovery off: dnsmasq supports neither
  const menu: Buffer[] = [];
  const servers: Buffer[] = [];
  let menuLen = 0;
  let serversLen = 0;
  let items = 0;
  const localBytes = Buffer.from(local.split('.').map(Number));
  for (const s of model.pxeServices) {
    if (s.csa !== arch || !conditionsHold(s.filters, tags, true)) continue;
    const text = Buffer.from(s.menuText, 'utf8');
    if (menuLen + text.length + 3 >= 253) return null; // "PXE menu too large": dnsmasq sends none of its own
    menu.push(Buffer.from([s.serviceType >> 8, s.serviceType & 0xff, text.length]), text);
    menuLen += text.length + 3;
    items++;
    // dnsmasq pxe_opts: a service without a boot file names its server by address or by a
    // hosts-file name (unknown: 0.0.0.0, so no server and the client discovers by broadcast).
    const remote = s.serverAddress ?? (s.serverName !== null ? hostAddress(model.hostAddresses, s.serverName) : null);
    const server = s.basename !== null ? localBytes : remote !== null ? Buffer.from(remote.split('.').map(Number)) : null;
    if (server !== null && !server.equals(Buffer.alloc(4))) {
      if (serversLen + 3 + 4 >= 253) return null;
      servers.push(Buffer.from([s.serviceType >> 8, s.serviceType & 0xff, 1]), server);
      serversLen += 7;
    } else if (s.serviceType !== 0) {
      discovery = 2; // a service we know no server for: let the client broadcast for it
    }
  }
  const out: SubOption[] = [];
  const add = (code: number, bytes: Buffer): void => {
    out.push({ code, bytes, isString: false, force: false, at: null });
  };
  if (items === 0) discovery = 8; // no menu: boot the file in the reply
  add(6, Buffer.from([discovery]));
  // Without a pxe-prompt line: wait for a key when there is a choice, else go at once.
  if (!promptConfigured) add(10, Buffer.concat([Buffer.from([items > 1 ? 255 : 0]), Buffer.from('PXE', 'latin1')]));
  if (items > 0 && servers.length > 0) add(8, Buffer.concat(servers));
  if (items > 0) add(9, Buffer.concat(menu));
  return out;
}

/** Everything do_options needs beyond the model. */
export interface FullModeInput {
  model: DnsmasqModel;
  base: ReadonlySet<string>;
  context: Context;
  /** Option 55 as sent; null when the client sent none (then everything counts as asked for). */
  requested: readonly number[] | null;
  /** The client NUL-terminates its own names (hostname ending in NUL): dnsmasq does the same in replies. */
  nullTerm: boolean;
  /** The client's option 60, or null. */
  vendorClass: Buffer | null;
  /** Set for PXE clients that sent option 93 (and only with pxe-service/pxe-prompt configured). */
  pxe: { arch: number; uuid: Buffer | null; vendor: string } | null;
}

/** do_options for a full-mode OFFER or ACK: the boot fields and the options we model. */
export function fullModeParts(input: FullModeInput): ReplyParts {
  const { model, context, requested, nullTerm, pxe } = input;
  const asked = (code: number): boolean => requested === null || requested.includes(code);
  const { eligible, tags } = filterOptions(model, input.base, context.range.setTag);
  const firstEligible = (code: number): OptionLine | undefined => model.optionChain.find((o) => eligible.has(o) && o.code === code);
  const options: OptionInstance[] = [];
  let siaddr = context.local;
  let sname = '';
  let file = '';
  let doneFile = false;
  let doneServer = false;

  const boot = findBoot(model, tags);
  if (boot !== null) {
    // Boot names go in options 66/67 when the client asked for them (freeing the fixed fields
    // for option overload) unless dhcp-no-override; always NUL-terminated: some PXE ROMs need it.
    const inOption = (code: number): boolean => !model.noOverride && requested !== null && requested.includes(code);
    if (boot.serverName !== null) {
      if (inOption(66)) options.push({ code: 66, bytes: cString(boot.serverName), at: boot.at, why: 'dhcp-boot server name' });
      else sname = boot.serverName.slice(0, 63);
    }
    if (boot.file !== null) {
      if (inOption(67)) options.push({ code: 67, bytes: cString(boot.file), at: boot.at, why: 'dhcp-boot file' });
      else file = boot.file.slice(0, 127);
    }
    if (boot.serverAddress !== null) siaddr = boot.serverAddress;
    else if (boot.tftpServerName !== null) siaddr = hostAddress(model.hostAddresses, boot.tftpServerName);
  } else {
    // No dhcp-boot: dhcp-option 67 / 66 fill the fixed fields when the client did not ask for them as options.
    const o67 = firstEligible(67);
    if (!asked(67) && o67 !== undefined && !o67.force) {
      file = fieldText(o67.value.bytes, 127);
      doneFile = true;
    }
    const o66 = firstEligible(66);
    if (!asked(66) && o66 !== undefined && !o66.force) {
      sname = fieldText(o66.value.bytes, 63);
      doneServer = true;
    }
    const o255 = firstEligible(255);
    if (o255 !== undefined && o255.value.bytes.length >= 4) siaddr = Array.from(o255.value.bytes.subarray(0, 4)).join('.');
  }

  let vendorClassSent: Buffer | null = null;
  const internal = new Set([81, 57, 52, 0, 255, 58, 59]);
  const emptyMeansOmit = new Set([1, 28, 3, 6, 15, 12]);
  for (const o of model.optionChain) {
    if (!eligible.has(o)) continue;
    if (!o.force && !asked(o.code)) continue;
    if (internal.has(o.code)) continue;
    if ((o.code === 66 && doneServer) || (o.code === 67 && doneFile)) continue;
    if (o.value.bytes.length === 0 && emptyMeansOmit.has(o.code)) continue;
    if (pxe !== null && o.code === 60) continue; // PXE clients get the PXE vendor class instead
    let bytes = valueBytes(o.value.bytes, o.value.isString, o.code === 66 || o.code === 67 ? true : nullTerm);
    if (o.value.selfAddress) bytes = selfSubstituted(bytes, context.local);
    options.push({ code: o.code, bytes, at: o.at, why: o.force ? 'dhcp-option-force' : 'dhcp-option' });
    if (o.code === 60) vendorClassSent = bytes;
  }

  options.push(...encapsulatedOptions(model, tags, asked, nullTerm));

  // Vendor (43) lines are chosen by the vendor class we send, if we send one, else the client's.
  const vendor = pruneVendor(vendorLines(model, vendorClassSent ?? input.vendorClass), tags);
  let subs: SubOption[] = vendor.kept.map(sub);
  if (pxe !== null) {
    options.push({ code: 60, bytes: Buffer.from(pxe.vendor, 'latin1'), at: null, why: 'PXE client: dnsmasq names the PXE vendor class' });
    if (pxe.uuid !== null) options.push({ code: 97, bytes: pxe.uuid, at: null, why: 'PXE client: its UUID echoed' });
    if (!uefiSingleService(model, pxe.arch, tags)) {
      const own = pxeSubOptions(model, pxe.arch, tags, context.local, vendor.kept.some((o) => o.code === 10));
      if (own !== null) subs = [...own, ...subs];
    }
  }
  if ((vendor.force || asked(43)) && subs.length > 0) {
    options.push(...encapsulate(43, subs, nullTerm, 'vendor options (vendor:, pxe-prompt, pxe-service)'));
    // Echo the client's vendor class with its vendor options, as RFC 2132 §8.4 pairs them.
    if (pxe === null && vendorClassSent === null && input.vendorClass !== null && input.vendorClass.length > 0) {
      options.push({ code: 60, bytes: input.vendorClass, at: null, why: 'vendor class echoed with option 43' });
    }
  }
  return { siaddr, sname, file, options, boot, tags };
}

/** encap:N (and vi-encap:) lines: one option N per outer number, first seen first. */
function encapsulatedOptions(model: DnsmasqModel, tags: ReadonlySet<string>, asked: (code: number) => boolean, nullTerm: boolean): OptionInstance[] {
  const out: OptionInstance[] = [];
  const done = new Set<string>();
  for (const o of model.optionChain) {
    const s = o.space;
    if (s.kind !== 'encap' && s.kind !== 'vi-encap') continue;
    const key = s.kind === 'encap' ? `e${s.outer}` : `v${s.enterprise}`;
    if (done.has(key)) continue;
    done.add(key);
    const outer = s.kind === 'encap' ? s.outer : 125;
    const group = model.optionChain.filter((g) => {
      const gs = g.space;
      const same = s.kind === 'encap' ? gs.kind === 'encap' && gs.outer === s.outer : gs.kind === 'vi-encap' && gs.enterprise === s.enterprise;
      return same && conditionsHold(g.tags, tags, true) && (g.force || asked(outer));
    });
    if (group.length === 0) continue;
    if (s.kind === 'encap') {
      out.push(...encapsulate(outer, group.map(sub), nullTerm, `encap:${outer} lines`).map((i) => ({ ...i, at: group[0]?.at ?? null })));
    } else {
      const body = Buffer.concat(group.map((g) => Buffer.concat([Buffer.from([g.code, g.value.bytes.length]), g.value.bytes])));
      if (body.length > 250) continue; // dnsmasq: "too many options for enterprise number"
      const head = Buffer.alloc(5);
      head.writeUInt32BE(s.enterprise, 0);
      head[4] = body.length;
      out.push({ code: 125, bytes: Buffer.concat([head, body]), at: group[0]?.at ?? null, why: `vi-encap:${s.enterprise} lines` });
    }
  }
  return out;
}

/** The proxyDHCP reply (rfc2131.c, "proxy DHCP here"): a DISCOVER on port 67 or 4011, a REQUEST on 4011. */
export interface ProxyInput {
  model: DnsmasqModel;
  /** Tags including the proxy range's set: tag, after tag-if. */
  tags: ReadonlySet<string>;
  local: string;
  vendorClass: Buffer | null;
  pxe: { arch: number; uuid: Buffer | null; vendor: string };
  /** The request came in on the PXE port (4011), not 67. Default false. */
  port4011?: boolean;
}

/**
 * The boot parts of a proxy reply. UEFI clients (arch ≥ 6) are sent to port 4011 with
 * `siaddr` = this server; there, exactly one pxe-service with a file for their architecture
 * is given to them directly as file, sname (its server's address as text) and siaddr, with
 * no option 43 (dnsmasq `pxe_uefi_workaround`); otherwise dhcp-boot gives the file (and
 * siaddr, when it names an address), and option 43 carries dnsmasq's PXE sub-options — on
 * port 67 only for arch < 6, on port 4011 for everyone. No other dhcp-option lines are sent.
 */
export function proxyParts(input: ProxyInput): ReplyParts {
  const { model, tags, local, pxe } = input;
  const port4011 = input.port4011 === true;
  const boot = findBoot(model, tags);
  const toPort4011 = pxe.arch >= 6;
  let siaddr = toPort4011 ? local : '0.0.0.0';
  let sname = '';
  let file = '';
  const single = uefiSingleService(model, pxe.arch, tags);
  if (single && port4011) {
    const s = model.pxeServices.find((x) => x.csa === pxe.arch && x.basename !== null && conditionsHold(x.filters, tags, true));
    if (s !== undefined && s.basename !== null) {
      if (s.serverName !== null) {
        siaddr = hostAddress(model.hostAddresses, s.serverName);
        sname = s.serverName.slice(0, 63);
      } else {
        siaddr = s.serverAddress ?? local;
        sname = siaddr;
      }
      file = (s.basename.includes('.') ? s.basename : `${s.basename}.0`).slice(0, 127);
    }
  } else if (!single && boot !== null) {
    if (boot.serverAddress !== null) siaddr = boot.serverAddress;
    else if (boot.tftpServerName !== null) siaddr = hostAddress(model.hostAddresses, boot.tftpServerName);
    if (boot.file !== null) file = boot.file.slice(0, 127);
  }
  const options: OptionInstance[] = [{ code: 60, bytes: Buffer.from(pxe.vendor, 'latin1'), at: null, why: 'proxyDHCP: PXE vendor class' }];
  if (pxe.uuid !== null) options.push({ code: 97, bytes: pxe.uuid, at: null, why: 'PXE client: its UUID echoed' });
  if ((port4011 && !single) || !toPort4011) {
    const vendor = pruneVendor(vendorLines(model, input.vendorClass), tags);
    const own = pxeSubOptions(model, pxe.arch, tags, local, vendor.kept.some((o) => o.code === 10));
    const subs = [...(own ?? []), ...vendor.kept.map(sub)];
    options.push(...encapsulate(43, subs, false, 'PXE menu and vendor options'));
  }
  return { siaddr, sname, file, options, boot: single ? null : boot, tags: new Set(tags) };
}

/** A PXE boot server request (a REQUEST or INFORM carrying option 43.71), answered on any port. */
export interface BootServerInput {
  model: DnsmasqModel;
  /** Tags after tag-if (no range tag: dnsmasq adds none on this path). */
  tags: ReadonlySet<string>;
  /** The server's address on the client's subnet (the range holding its ciaddr). */
  local: string;
  vendorClass: Buffer | null;
  pxe: { uuid: Buffer | null; vendor: string };
  /** Option 43.71 as sent: boot server type, layer. */
  item: { type: number; layer: number };
}

/**
 * dnsmasq's answer to a boot server request (rfc2131.c, "really a PXE bootserver request"):
 * the first pxe-service of that type, which must name a boot file. `file` is the basename,
 * or `basename.<layer>` when it has no dot; siaddr is the service's server, else this server;
 * option 43 echoes 43.71 before the matching vendor: lines. Null when dnsmasq does not answer.
 */
export function bootServerParts(input: BootServerInput): ReplyParts | null {
  const { model, tags, local, item } = input;
  const service = model.pxeServices.find((s) => s.serviceType === item.type);
  if (service === undefined || service.basename === null) return null;
  const siaddr = service.serverName !== null ? hostAddress(model.hostAddresses, service.serverName) : (service.serverAddress ?? local);
  const file = (service.basename.includes('.') ? service.basename : `${service.basename}.${item.layer}`).slice(0, 127);
  const options: OptionInstance[] = [{ code: 60, bytes: Buffer.from(input.pxe.vendor, 'latin1'), at: null, why: 'PXE client: dnsmasq names the PXE vendor class' }];
  if (input.pxe.uuid !== null) options.push({ code: 97, bytes: input.pxe.uuid, at: null, why: 'PXE client: its UUID echoed' });
  const echo: SubOption = { code: 71, bytes: Buffer.from([item.type >> 8, item.type & 0xff, item.layer >> 8, item.layer & 0xff]), isString: false, force: false, at: service.at };
  const vendor = pruneVendor(vendorLines(model, input.vendorClass), tags);
  options.push(...encapsulate(43, [echo, ...vendor.kept.map(sub)], false, 'boot server reply: 43.71 echoed, vendor options'));
  return { siaddr, sname: '', file, options, boot: null, tags: new Set(tags) };
}

function cString(s: string): Buffer {
  return Buffer.concat([Buffer.from(s, 'utf8'), Buffer.from([0])]);
}

/** A value copied into a fixed field: up to the first NUL, at most `max` bytes. */
function fieldText(b: Buffer, max: number): string {
  const end = b.indexOf(0);
  return b.subarray(0, Math.min(end < 0 ? b.length : end, max)).toString('utf8');
}

/** 0.0.0.0 entries replaced by the server's address ("the address of the machine running dnsmasq"). */
function selfSubstituted(bytes: Buffer, local: string): Buffer {
  const out = Buffer.from(bytes);
  const me = local.split('.').map(Number);
  for (let i = 0; i + 4 <= out.length; i += 4) {
    if (out.readUInt32BE(i) === 0) me.forEach((b, k) => (out[i + k] = b));
  }
  return out;
}
