/**
 * Hand-built DHCP messages for the tests (not used by the codec). Built byte by byte, not
 * with encodeDhcp, so decoder tests do not depend on the encoder.
 */
import { BootOp, type DhcpPacket } from './packet.js';

export interface RawPacketParts {
  op?: number;
  hlen?: number;
  chaddr?: number[];
  sname?: Uint8Array;
  file?: Uint8Array;
  cookie?: number;
  /** Raw options area, framing included (End or not, as the test needs). */
  options?: Uint8Array;
  xid?: number;
  flags?: number;
}

/** A BOOTREQUEST with the given raw parts, everything else zero. */
export function rawPacket(parts: RawPacketParts): Buffer {
  const head = Buffer.alloc(240);
  head[0] = parts.op ?? 1;
  head[1] = 1;
  head[2] = parts.hlen ?? 6;
  head.writeUInt32BE(parts.xid ?? 0x11223344, 4);
  head.writeUInt16BE(parts.flags ?? 0, 10);
  head.set(parts.chaddr ?? [0x52, 0x54, 0x00, 0x12, 0x34, 0x56], 28);
  if (parts.sname) head.set(parts.sname.subarray(0, 64), 44);
  if (parts.file) head.set(parts.file.subarray(0, 128), 108);
  head.writeUInt32BE(parts.cookie ?? 0x63825363, 236);
  return Buffer.concat([head, parts.options ?? Buffer.of(255)]);
}

/** Concatenate option TLVs: [code, ...bytes] groups become code, length, bytes. */
export function tlv(...options: [number, Uint8Array | number[] | string][]): Buffer {
  const parts: Buffer[] = [];
  for (const [code, value] of options) {
    const v = typeof value === 'string' ? Buffer.from(value, 'latin1') : Buffer.from(value);
    parts.push(Buffer.of(code, v.length), v);
  }
  return Buffer.concat(parts);
}

/**
 * A DHCPDISCOVER shaped like the one the QEMU iPXE NIC ROM sends under SeaBIOS
 * (see lab-notes: arch 0, PXEClient vendor class, user class iPXE, option 175).
 */
export function ipxeDiscover(): Buffer {
  const mac = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56];
  return rawPacket({
    chaddr: mac,
    options: Buffer.concat([
      tlv(
        [53, [1]],
        [57, [0x05, 0xc0]],
        [93, [0, 0]],
        [94, [1, 2, 1]],
        [60, 'PXEClient:Arch:00000:UNDI:002001'],
        [77, 'iPXE'],
        [55, [1, 3, 6, 7, 12, 15, 17, 26, 43, 60, 66, 67, 119, 128, 129, 130, 131, 132, 133, 134, 135, 175, 203]],
        [175, [0xb1, 5, 1, 0x1a, 0xf4, 0x10, 0x00, 0xeb, 3, 1, 0, 0, 0x17, 1, 1, 0x15, 1, 1, 0x13, 1, 1, 0x18, 1, 1]],
        [61, [1, ...mac]],
        [97, new Uint8Array(17)],
      ),
      Buffer.of(255),
    ]),
  });
}

/** A minimal packet value for encoder tests. */
export function basePacket(options: Map<number, Buffer> = new Map()): DhcpPacket {
  const chaddr = Buffer.alloc(16);
  chaddr.set([0x52, 0x54, 0x00, 0xab, 0xcd, 0xef]);
  return {
    op: BootOp.Reply, htype: 1, hlen: 6, hops: 0, xid: 0xdeadbeef, secs: 0, flags: 0,
    ciaddr: '0.0.0.0', yiaddr: '198.18.0.50', siaddr: '198.18.0.2', giaddr: '0.0.0.0',
    chaddr, sname: '', file: '', options,
  };
}
