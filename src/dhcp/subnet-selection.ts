/**
 * Which address picks the subnet of a request that names one: the relay's link selection
 * sub-option (option 82.5, RFC 3527), else the subnet selection option (118, RFC 3011), else
 * giaddr (RFC 2131 §4.3.1). Both options exist for relays whose giaddr is not on the client's
 * link (a relay on a loopback or a shared interface): the server must then go by the option.
 * dnsmasq 2.90 reads them in this order (82.5 wins over 118; each needs 4 bytes, extra bytes are
 * ignored), and honours them with or without giaddr — checked against it in
 * `dnsmasq/subnet-selection.net.test.ts`.
 */
import type { DhcpPacket } from '../wire/dhcp/packet.js';
import { isUnset } from './ipv4-math.js';

/** RFC 3046 relay agent information. */
const OPTION_RELAY_AGENT = 82;
/** RFC 3527 §3: the link selection sub-option of option 82. */
const SUBOPTION_LINK_SELECTION = 5;
/** RFC 3011 §3: the subnet selection option. */
export const OPTION_SUBNET_SELECTION = 118;

function ipAt(bytes: Buffer, offset: number): string {
  return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
}

/** Option 82's link selection sub-option (first 4 bytes), or null; never reads past the option. */
function linkSelection(agent: Buffer): string | null {
  let i = 0;
  while (i + 2 <= agent.length) {
    const code = agent[i] ?? 0;
    const len = agent[i + 1] ?? 0;
    if (i + 2 + len > agent.length) return null;
    if (code === SUBOPTION_LINK_SELECTION && len >= 4) return ipAt(agent, i + 2);
    i += 2 + len;
  }
  return null;
}

/**
 * The subnet a relay or client asks for by option (82.5, else 118), or null when the request
 * names none. 0.0.0.0 counts as none, as in dnsmasq.
 */
export function subnetSelector(req: DhcpPacket): string | null {
  const agent = req.options.get(OPTION_RELAY_AGENT);
  const linked = agent === undefined ? null : linkSelection(agent);
  if (linked !== null && !isUnset(linked)) return linked;
  const opt = req.options.get(OPTION_SUBNET_SELECTION);
  if (opt !== undefined && opt.length >= 4) {
    const selected = ipAt(opt, 0);
    if (!isUnset(selected)) return selected;
  }
  return null;
}

/**
 * The address whose subnet serves this request: the selector (82.5 / 118), else giaddr, else
 * null (the receiving interface's subnet, or ciaddr's for a renewal).
 */
export function selectionAddress(req: DhcpPacket): string | null {
  return subnetSelector(req) ?? (isUnset(req.giaddr) ? null : req.giaddr);
}

/**
 * RFC 3011 §3: "Servers configured to support this option MUST return an identical copy of the
 * option to any client that sends it, regardless of whether or not the client requests the option
 * in a parameter request list."
 */
export function echoSubnetSelection(reply: DhcpPacket, req: DhcpPacket): void {
  const opt = req.options.get(OPTION_SUBNET_SELECTION);
  if (opt !== undefined && opt.length >= 4) reply.options.set(OPTION_SUBNET_SELECTION, Buffer.from(opt));
}
