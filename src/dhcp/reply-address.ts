/** Where a reply goes: RFC 2131 §4.1, "constructing and sending DHCP messages". */
import { MessageType, FLAG_BROADCAST, type DhcpPacket } from '../wire/dhcp/packet.js';
import { isUnset } from './ipv4-math.js';

export interface Destination {
  address: string;
  port: number;
}

export const LIMITED_BROADCAST = '255.255.255.255';

/**
 * The destination of a reply to `request`. `serverPort` is our port (67, where relay
 * agents listen too); clients listen on `clientPort` (68).
 */
export function replyDestination(request: DhcpPacket, type: MessageType, serverPort: number, clientPort: number): Destination {
  if (!isUnset(request.giaddr)) return { address: request.giaddr, port: serverPort };
  // "In all cases, when 'giaddr' is zero, the server broadcasts any DHCPNAK messages."
  if (type === MessageType.Nak) return { address: LIMITED_BROADCAST, port: clientPort };
  if (!isUnset(request.ciaddr)) return { address: request.ciaddr, port: clientPort };
  if ((request.flags & FLAG_BROADCAST) !== 0) return { address: LIMITED_BROADCAST, port: clientPort };
  // RFC 2131 wants a unicast to yiaddr at chaddr here, but the client has no address yet
  // and so no ARP entry; adding one needs SIOCSARP or a raw socket, which dgram lacks
  // (docs/adr/0001-interface-binding.md). Broadcasting is allowed and every client takes it.
  return { address: LIMITED_BROADCAST, port: clientPort };
}
