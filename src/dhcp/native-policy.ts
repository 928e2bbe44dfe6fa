/**
 * bootfleet's own boot policy behind the ReplyPolicy seam: `boot/decide.ts` says what a client
 * gets (a BootPlan), `boot-options.ts` and the PXE option encoders say where it goes in the
 * reply. The only place the native plan meets a DHCP reply.
 */
import type { BootfleetConfig } from '../config/schema.js';
import type { BootPlan } from '../boot/boot-plan.js';
import type { ClientFacts } from '../boot/client-facts.js';
import { decide } from '../boot/decide.js';
import { planForMenuSelection, pxeMenuVendorOptions } from '../boot/pxe-menu.js';
import type { DhcpPacket } from '../wire/dhcp/packet.js';
import { getParamRequestList, setBytes, setString } from '../wire/dhcp/options.js';
import { encodePxeVendorOptions, PXE_DISCOVERY_USE_BOOTFILE } from '../wire/dhcp/pxe-options.js';
import { applyBootPlan } from './boot-options.js';
import { addIpxeNoPxeDhcp } from './ipxe-options.js';
import type { FullModeVerdict, ProxyModeRequest, ProxyModeVerdict, ReplyPolicy } from './reply-policy.js';

const OPTION_VENDOR_SPECIFIC = 43;
const OPTION_VENDOR_CLASS = 60;
const OPTION_CLIENT_UUID = 97;

/** A BootPlan for a client, given the address it reaches our servers at. */
export type PlanFunction = (facts: ClientFacts, serverAddress: string) => BootPlan;

export interface NativePolicyOptions {
  config: BootfleetConfig;
  /** Full-mode plans; default `decide()` in full mode. Injectable for tests. */
  fullPlan?: PlanFunction;
  /** Proxy-mode plans; default `decide()` in proxy mode. Injectable for tests. */
  proxyPlan?: PlanFunction;
}

/** bootfleet's own policy over `config`. */
export function nativeReplyPolicy(opts: NativePolicyOptions): ReplyPolicy {
  const { config } = opts;
  const fullPlan: PlanFunction = opts.fullPlan ?? ((facts, serverAddress) => decide(facts, { mode: 'full', serverAddress, httpPort: config.http.port, config }));
  const proxyPlan: PlanFunction = opts.proxyPlan ?? ((facts, serverAddress) => decide(facts, { mode: 'proxy', serverAddress, httpPort: config.http.port, config }));
  return {
    name: 'native',
    full(req): FullModeVerdict {
      const serverAddress = req.iface.serverAddress ?? req.iface.address;
      const plan = fullPlan(req.facts, serverAddress);
      if (plan.kind === 'ignore') return { kind: 'ignore', reason: plan.reason };
      return {
        kind: 'answer',
        label: plan.kind,
        reason: plan.reason,
        addressRules: null,
        apply(reply) {
          applyBootPlan(reply, plan, { serverAddress, requested: getParamRequestList(req.packet.options) });
          // We are the segment's DHCP server and no proxy is known there: spare iPXE its wait for
          // ProxyDHCP offers. Where a proxy does answer, iPXE must keep waiting or it misses it.
          if (req.facts.firmware === 'ipxe' && req.iface.proxyPresent !== true) addIpxeNoPxeDhcp(reply);
        },
      };
    },
    proxy(req): ProxyModeVerdict {
      const serverAddress = req.iface.serverAddress ?? req.iface.address;
      const plan = req.item !== null ? planForMenuSelection(req.facts, req.item.type, config) : proxyPlan(req.facts, serverAddress);
      if (plan.kind === 'ignore' || plan.kind === 'no-boot') return { kind: 'ignore', reason: plan.reason };
      return {
        kind: 'answer',
        label: plan.kind,
        reason: plan.reason,
        apply(reply) {
          setString(reply.options, OPTION_VENDOR_CLASS, 'PXEClient');
          const uuid = req.packet.options.get(OPTION_CLIENT_UUID);
          if (uuid !== undefined && uuid.length === 17) setBytes(reply.options, OPTION_CLIENT_UUID, uuid);
          fillProxyBoot(reply, plan, req, serverAddress);
        },
      };
    },
  };
}

function fillProxyBoot(reply: DhcpPacket, plan: BootPlan, req: ProxyModeRequest, serverAddress: string): void {
  if (plan.kind === 'pxe-menu') {
    reply.siaddr = serverAddress;
    // The menu's boot servers are where our port 4011 listens: this interface's address.
    if (!redirectToPxePort(req)) setVendorOptions(reply, encodePxeVendorOptions(pxeMenuVendorOptions(plan.menu, req.iface.address)));
    return;
  }
  applyBootPlan(reply, plan, { serverAddress, requested: getParamRequestList(req.packet.options) });
  if (plan.kind === 'uefi-http') return; // HTTP boot is not PXE: no option 43 (applyBootPlan set 60 HTTPClient)
  if (req.item !== null) {
    // PXE 2.1 §2.2.7: a boot server ACK names the item it answers; iPXE drops one that does not.
    setVendorOptions(reply, encodePxeVendorOptions({ bootItem: req.item }));
  } else if (!redirectToPxePort(req)) {
    // Bit 3: boot the file in this reply, no menu or boot server discovery (PXE 2.1 Table 2-1).
    // dnsmasq sends exactly this (6 = 8) when it supplies the file and has no menu.
    setVendorOptions(reply, encodePxeVendorOptions({ discoveryControl: PXE_DISCOVERY_USE_BOOTFILE }));
  }
}

/**
 * UEFI PXE firmware gets no option 43 in the port-67 offer, as dnsmasq does ("Redirect EFI
 * clients to port 4011"): EDK2 then classes the offer as proxy BINL and asks again on 4011
 * (lab notes, pitfall 1), and the ACK there carries the file or menu. Firmware that takes
 * a file from a proxy offer directly varies among UEFI vendors; the 4011 exchange does not.
 */
function redirectToPxePort(req: ProxyModeRequest): boolean {
  return req.facts.firmware === 'uefi-pxe' && req.via === 'dhcp' && req.item === null;
}

function setVendorOptions(reply: DhcpPacket, value: Buffer): void {
  setBytes(reply.options, OPTION_VENDOR_SPECIFIC, value);
}
