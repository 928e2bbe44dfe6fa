/** The common parts of a server reply (RFC 2131 §4.3.1 Table 3). */
import { BootOp, MessageType, type DhcpPacket } from '../wire/dhcp/packet.js';
import { setIp, setIps, setMessageType, setString, setU32, setBytes } from '../wire/dhcp/options.js';
import type { Subnet } from './pool.js';
import { isUnset } from './ipv4-math.js';

const OPTION_SUBNET_MASK = 1;
const OPTION_ROUTER = 3;
const OPTION_DNS = 6;
const OPTION_HOSTNAME = 12;
const OPTION_DOMAIN = 15;
const OPTION_LEASE_TIME = 51;
const OPTION_SERVER_ID = 54;
const OPTION_MESSAGE = 56;
const OPTION_RENEWAL_TIME = 58;
const OPTION_REBINDING_TIME = 59;
const OPTION_RELAY_AGENT = 82;
const OPTION_CLIENT_ID = 61;

/**
 * A reply skeleton: xid, flags, giaddr and chaddr copied from the request, option 53 and
 * 54 (server identifier) set, and the client identifier (61) echoed when the client sent
 * one (RFC 6842 §3: a client that sent 61 may drop a reply without it, and uses it rather
 * than chaddr to tell replies apart). Everything else zero until the caller fills it.
 */
export function baseReply(request: DhcpPacket, type: MessageType, serverId: string): DhcpPacket {
  const reply: DhcpPacket = {
    op: BootOp.Reply,
    htype: request.htype,
    hlen: request.hlen,
    hops: 0,
    xid: request.xid,
    secs: 0,
    flags: request.flags,
    ciaddr: '0.0.0.0',
    yiaddr: '0.0.0.0',
    siaddr: '0.0.0.0',
    giaddr: request.giaddr,
    // Shared, not copied: packets' byte fields are read, never written, once decoded or built.
    chaddr: request.chaddr,
    sname: '',
    file: '',
    options: new Map(),
  };
  setMessageType(reply.options, type);
  setIp(reply.options, OPTION_SERVER_ID, serverId);
  const clientId = request.options.get(OPTION_CLIENT_ID);
  if (clientId !== undefined) setBytes(reply.options, OPTION_CLIENT_ID, clientId);
  return reply;
}

/** Options 51, 58 and 59: T1 = 0.5 and T2 = 0.875 of the lease (RFC 2131 §4.4.5). */
export function addLeaseTimes(reply: DhcpPacket, leaseSeconds: number): void {
  setU32(reply.options, OPTION_LEASE_TIME, leaseSeconds);
  setU32(reply.options, OPTION_RENEWAL_TIME, Math.floor(leaseSeconds * 0.5));
  setU32(reply.options, OPTION_REBINDING_TIME, Math.floor(leaseSeconds * 0.875));
}

/** Options 1, 3, 6, 15 from the subnet's config, and 12 when a reservation names the host. */
export function addNetworkOptions(reply: DhcpPacket, subnet: Subnet, hostname: string | null): void {
  setIp(reply.options, OPTION_SUBNET_MASK, subnet.net.netmask);
  const c = subnet.config;
  if (c.router !== undefined) setIp(reply.options, OPTION_ROUTER, c.router);
  if (c.dns.length > 0) setIps(reply.options, OPTION_DNS, c.dns);
  if (c.domain !== undefined) setString(reply.options, OPTION_DOMAIN, c.domain);
  if (hostname !== null) setString(reply.options, OPTION_HOSTNAME, hostname);
}

/** Option 56: a short reason a client may log (for NAKs). */
export function addMessage(reply: DhcpPacket, text: string): void {
  setString(reply.options, OPTION_MESSAGE, text);
}

/**
 * RFC 3046 §2.2: a server echoes the relay agent information option unchanged in replies
 * that go back through the relay. Added last; the encoder also keeps 82 at the end.
 */
export function echoRelayAgent(reply: DhcpPacket, request: DhcpPacket): void {
  const agent = request.options.get(OPTION_RELAY_AGENT);
  if (agent !== undefined && !isUnset(request.giaddr)) setBytes(reply.options, OPTION_RELAY_AGENT, agent);
}
