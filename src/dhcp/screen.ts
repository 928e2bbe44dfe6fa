/** First look at a decoded datagram: is it a DHCP request a server should handle at all? */
import { BootOp, MessageType, type DhcpPacket } from '../wire/dhcp/packet.js';
import { getMessageType } from '../wire/dhcp/options.js';

/** ARP hardware type 1: Ethernet (RFC 1700). Every client bootfleet serves is Ethernet. */
const HTYPE_ETHERNET = 1;
const ETHERNET_HLEN = 6;

/** Stable codes for a request the server drops without answering (besides the codec's). */
export type DhcpDropCode =
  | 'DHCP_NOT_REQUEST'
  | 'DHCP_NO_MESSAGE_TYPE'
  | 'DHCP_BAD_HTYPE'
  | 'DHCP_BAD_HLEN'
  | 'DHCP_BAD_REQUEST'
  | 'DHCP_NO_SUBNET'
  | 'DHCP_BUSY'
  | 'DHCP_STORE_FAILED'
  | 'DHCP_ENCODE_FAILED'
  /** A proxy reply that would hand out an address, NAK, or carry lease options: a bug, never sent. */
  | 'DHCP_PROXY_UNSAFE';

export type ScreenResult =
  | { ok: true; type: MessageType }
  | {
      ok: false;
      code: DhcpDropCode;
      /** `debug` for traffic that is simply not for a server; `info` for a request that is broken. */
      level: 'debug' | 'info';
      message: string;
    };

export function screenRequest(p: DhcpPacket): ScreenResult {
  if (p.op !== BootOp.Request) return { ok: false, code: 'DHCP_NOT_REQUEST', level: 'debug', message: `BOOTREPLY (op ${p.op}) sent to the server port` };
  if (p.htype !== HTYPE_ETHERNET) return { ok: false, code: 'DHCP_BAD_HTYPE', level: 'info', message: `hardware type ${p.htype} is not Ethernet` };
  if (p.hlen !== ETHERNET_HLEN) return { ok: false, code: 'DHCP_BAD_HLEN', level: 'info', message: `hardware address length ${p.hlen} is not 6 (Ethernet)` };
  const type = getMessageType(p);
  // Plain BOOTP (no option 53) is not served: every PXE and OS client speaks DHCP.
  if (type === null) return { ok: false, code: 'DHCP_NO_MESSAGE_TYPE', level: 'debug', message: 'no DHCP message type (plain BOOTP)' };
  if (type === MessageType.Offer || type === MessageType.Ack || type === MessageType.Nak) {
    return { ok: false, code: 'DHCP_NOT_REQUEST', level: 'debug', message: `${MessageType[type]} sent to the server port` };
  }
  return { ok: true, type };
}
