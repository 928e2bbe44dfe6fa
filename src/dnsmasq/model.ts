/**
 * A loaded configuration arranged the way dnsmasq keeps it in memory, because several of
 * its rules depend on list order (option.c prepends most lines to their list):
 *
 * - dhcp-option, dhcp-option-force and pxe-prompt lines share one list, newest first: among
 *   lines that are equally eligible, the one LAST in the file wins (checked against dnsmasq
 *   2.90: two matching `tag:` lines for option 17, the later one is sent);
 * - dhcp-boot and dhcp-host lists are newest first too: the last matching line wins;
 * - dhcp-range contexts on an interface end up in file order (dhcp.c `complete_context`
 *   prepends while walking the newest-first list);
 * - tag-if and pxe-service keep file order (option.c appends them on purpose).
 */
import type { HostAddresses } from './hosts-file.js';
import type {
  ClassMatchDirective, DhcpBootDirective, DhcpHostDirective, DhcpIgnoreDirective, DhcpMacDirective, DhcpMatchDirective,
  DhcpRangeDirective, Directive, PxeServiceDirective,
} from './directive.js';
import type { OptionSpace, OptionValue } from './parse-option-value.js';
import type { SourceRef } from './problems.js';
import type { TagIfRule, TagRef } from './tags.js';

/** One entry of dnsmasq's option list (`daemon->dhcp_opts`). */
export interface OptionLine {
  code: number;
  tags: TagRef[];
  space: OptionSpace;
  value: OptionValue;
  force: boolean;
  /** A pxe-prompt line: a vendor option 10 offered to PXE clients (dnsmasq DHOPT_VENDOR_PXE). */
  pxePrompt: boolean;
  at: SourceRef;
}

export interface DnsmasqModel {
  /** dnsmasq's dhcp_opts: newest first. */
  optionChain: OptionLine[];
  /** dnsmasq's boot_config: newest first. */
  bootChain: DhcpBootDirective[];
  /** dnsmasq's dhcp_conf: newest first. */
  hostChain: DhcpHostDirective[];
  /** In file order. */
  ranges: DhcpRangeDirective[];
  matches: DhcpMatchDirective[];
  classes: ClassMatchDirective[];
  macs: DhcpMacDirective[];
  tagIfs: (TagIfRule & { at: SourceRef })[];
  ignores: DhcpIgnoreDirective[];
  /** In file order. */
  pxeServices: PxeServiceDirective[];
  /** pxe-service or pxe-prompt present: dnsmasq only then treats PXEClient requests specially. */
  pxeEnabled: boolean;
  noOverride: boolean;
  authoritative: boolean;
  /** `no-ping`: dnsmasq checks nothing before offering; bootfleet then turns its ARP conflict detection off. */
  noPing: boolean;
  interfaces: string[];
  exceptInterfaces: string[];
  listenAddresses: string[];
  /**
   * Server names from hosts files (`hosts-file.ts`): filled by `run-command.ts` when dnsmasq's
   * DNS side would run; empty otherwise (as with `port=0`), so such names give 0.0.0.0.
   */
  hostAddresses: HostAddresses;
}

/** Arranges directives (in reading order) into the model. */
export function buildModel(directives: readonly Directive[]): DnsmasqModel {
  const m: DnsmasqModel = {
    optionChain: [], bootChain: [], hostChain: [], ranges: [], matches: [], classes: [], macs: [], tagIfs: [], ignores: [],
    pxeServices: [], pxeEnabled: false, noOverride: false, authoritative: false, noPing: false, interfaces: [], exceptInterfaces: [], listenAddresses: [], hostAddresses: new Map(),
  };
  for (const d of directives) {
    switch (d.kind) {
      case 'dhcp-option':
        if (d.spec.code !== null) {
          m.optionChain.unshift({ code: d.spec.code, tags: d.spec.tags, space: d.spec.space, value: d.spec.value, force: d.force, pxePrompt: false, at: d.at });
        }
        break;
      case 'pxe-prompt': {
        // dnsmasq stores the prompt as PXE option 43.10: timeout byte, then the text.
        const bytes = Buffer.concat([Buffer.from([d.timeout]), Buffer.from(d.prompt, 'utf8')]);
        m.optionChain.unshift({
          code: 10, tags: d.filters, space: { kind: 'vendor', vendorClass: '' },
          value: { bytes, form: 'hex', selfAddress: false, isString: false, wildcard: null }, force: false, pxePrompt: true, at: d.at,
        });
        m.pxeEnabled = true;
        break;
      }
      case 'pxe-service':
        m.pxeServices.push(d);
        m.pxeEnabled = true;
        break;
      case 'dhcp-boot':
        m.bootChain.unshift(d);
        break;
      case 'dhcp-host':
        m.hostChain.unshift(d);
        break;
      case 'dhcp-range':
        m.ranges.push(d);
        break;
      case 'dhcp-match':
        m.matches.push(d);
        break;
      case 'dhcp-vendorclass':
      case 'dhcp-userclass':
        m.classes.push(d);
        break;
      case 'dhcp-mac':
        m.macs.push(d);
        break;
      case 'tag-if':
        m.tagIfs.push({ set: d.set, conditions: d.conditions, at: d.at });
        break;
      case 'dhcp-ignore':
        m.ignores.push(d);
        break;
      case 'dhcp-no-override':
        m.noOverride = true;
        break;
      case 'dhcp-authoritative':
        m.authoritative = true;
        break;
      case 'no-ping':
        m.noPing = true;
        break;
      case 'interface':
        m.interfaces.push(...d.names);
        break;
      case 'except-interface':
        m.exceptInterfaces.push(...d.names);
        break;
      case 'listen-address':
        m.listenAddresses.push(...d.addresses);
        break;
      default:
        break;
    }
  }
  return m;
}
