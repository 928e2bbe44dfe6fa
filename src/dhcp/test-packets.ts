/** Hand-made DHCP requests for the server's unit tests. */
import { BootOp, MessageType, type DhcpPacket } from '../wire/dhcp/packet.js';
import { setIp, setMessageType, setString, setU16, setBytes } from '../wire/dhcp/options.js';
import { configSchema, type BootfleetConfig } from '../config/schema.js';

export interface RequestSpec {
  mac?: string;
  xid?: number;
  flags?: number;
  ciaddr?: string;
  giaddr?: string;
  requested?: string;
  serverId?: string;
  vendorClass?: string;
  userClass?: string;
  arch?: number;
  paramRequest?: number[];
  maxSize?: number;
  relayAgent?: Buffer;
  clientId?: Buffer;
}

export function macBytes(mac: string): Buffer {
  return Buffer.from(mac.split(':').map((h) => parseInt(h, 16)));
}

export function request(type: MessageType, spec: RequestSpec = {}): DhcpPacket {
  const chaddr = Buffer.alloc(16);
  macBytes(spec.mac ?? '52:54:00:00:00:01').copy(chaddr);
  const p: DhcpPacket = {
    op: BootOp.Request,
    htype: 1,
    hlen: 6,
    hops: 0,
    xid: spec.xid ?? 0x1234,
    secs: 0,
    flags: spec.flags ?? 0,
    ciaddr: spec.ciaddr ?? '0.0.0.0',
    yiaddr: '0.0.0.0',
    siaddr: '0.0.0.0',
    giaddr: spec.giaddr ?? '0.0.0.0',
    chaddr,
    sname: '',
    file: '',
    options: new Map(),
  };
  setMessageType(p.options, type);
  if (spec.clientId) setBytes(p.options, 61, spec.clientId);
  if (spec.requested) setIp(p.options, 50, spec.requested);
  if (spec.serverId) setIp(p.options, 54, spec.serverId);
  if (spec.maxSize !== undefined) setU16(p.options, 57, spec.maxSize);
  if (spec.paramRequest) setBytes(p.options, 55, Buffer.from(spec.paramRequest));
  if (spec.vendorClass) setString(p.options, 60, spec.vendorClass);
  if (spec.userClass) setString(p.options, 77, spec.userClass);
  if (spec.arch !== undefined) setU16(p.options, 93, spec.arch);
  if (spec.relayAgent) setBytes(p.options, 82, spec.relayAgent);
  return p;
}

/** The lab config the unit tests share: one local subnet, one behind a relay, one reservation. */
export function testConfig(over: { authoritative?: boolean; pool?: [string, string] } = {}): BootfleetConfig {
  const [start, end] = over.pool ?? ['198.18.0.100', '198.18.0.102'];
  return configSchema.parse({
    dataDir: '/nonexistent',
    interfaces: [{ name: 'eth0' }],
    dhcp: {
      authoritative: over.authoritative ?? true,
      subnets: [
        { subnet: '198.18.0.0/24', pools: [{ start, end }], router: '198.18.0.1', dns: ['198.18.0.1'], domain: 'lab.test', leaseTime: 3600 },
        { subnet: '198.18.5.0/24', pools: [{ start: '198.18.5.10', end: '198.18.5.20' }], leaseTime: 600 },
      ],
      reservations: [{ mac: '52:54:00:00:00:aa', address: '198.18.0.50', hostname: 'web1' }],
    },
  });
}
