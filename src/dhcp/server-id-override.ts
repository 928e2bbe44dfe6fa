/**
 * RFC 5107 server identifier override (option 82 sub-option 11): a relay that wants every
 * client message — renewals included — to pass through it names its own address there. The
 * server must then put that address in option 54 of its replies (§4: "the server MUST use the
 * value … as the server identifier") and take a REQUEST, DECLINE or RELEASE carrying it in
 * option 54 as addressed to itself. dnsmasq 2.90 does both (checked live in
 * `dnsmasq/relay-routing.net.test.ts`); relays that send link selection (82.5) usually send this
 * too. Applied around the full-mode responder by `server.ts`, so the state machine keeps
 * comparing option 54 with the receiving interface's address.
 */
import type { DhcpPacket } from '../wire/dhcp/packet.js';
import { isUnset } from './ipv4-math.js';

const OPTION_SERVER_ID = 54;
const OPTION_RELAY_AGENT = 82;
const SUBOPTION_SERVER_ID_OVERRIDE = 11;

/** Option 82.11's address (4 bytes), or null; never reads past option 82. */
export function serverIdOverride(req: DhcpPacket): string | null {
  const agent = req.options.get(OPTION_RELAY_AGENT);
  if (agent === undefined) return null;
  let i = 0;
  while (i + 2 <= agent.length) {
    const code = agent[i] ?? 0;
    const len = agent[i + 1] ?? 0;
    if (i + 2 + len > agent.length) return null;
    if (code === SUBOPTION_SERVER_ID_OVERRIDE && len >= 4) {
      const a = `${agent[i + 2]}.${agent[i + 3]}.${agent[i + 4]}.${agent[i + 5]}`;
      return isUnset(a) ? null : a;
    }
    i += 2 + len;
  }
  return null;
}

/**
 * The request as the responder should see it: option 54 naming the relay's override address is
 * read as naming us (`ourAddress`). The caller's packet is not changed.
 */
export function acceptServerIdOverride(req: DhcpPacket, ourAddress: string): DhcpPacket {
  const override = serverIdOverride(req);
  const sid = req.options.get(OPTION_SERVER_ID);
  if (override === null || sid === undefined || sid.length !== 4 || sid.join('.') !== override) return req;
  const options = new Map(req.options);
  options.set(OPTION_SERVER_ID, Buffer.from(ourAddress.split('.').map(Number)));
  return { ...req, options };
}

/** Puts the override address in the reply's option 54 when the request carried one. */
export function stampServerIdOverride(reply: DhcpPacket, req: DhcpPacket): void {
  const override = serverIdOverride(req);
  if (override !== null && reply.options.has(OPTION_SERVER_ID)) reply.options.set(OPTION_SERVER_ID, Buffer.from(override.split('.').map(Number)));
}
