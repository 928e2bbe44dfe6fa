/** IPv4 arithmetic for address allocation: dotted quads ⇄ unsigned 32-bit numbers. */
import { parseIpv4 } from '../wire/ipv4-text.js';

/** A dotted quad as an unsigned 32-bit number. @throws RangeError when not a dotted quad. */
export function ipToNumber(ip: string): number {
  const n = parseIpv4(ip);
  if (n < 0) throw notIpv4(ip);
  return n;
}

function notIpv4(ip: string): RangeError {
  return new RangeError(`not an IPv4 address: ${ip}`);
}

export function numberToIp(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`;
}

/** An IPv4 network: `network` and `broadcast` are the first and last address of the block. */
export interface Ipv4Network {
  cidr: string;
  network: number;
  broadcast: number;
  prefix: number;
  /** Dotted-quad netmask, for option 1. */
  netmask: string;
}

/** Parses `a.b.c.d/nn`; host bits in the address are ignored. @throws RangeError when malformed. */
export function parseCidr(cidr: string): Ipv4Network {
  const [addr, len] = cidr.split('/');
  const prefix = Number(len);
  if (addr === undefined || !/^\d{1,2}$/.test(len ?? '') || prefix > 32) throw new RangeError(`not an IPv4 network: ${cidr}`);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const network = (ipToNumber(addr) & mask) >>> 0;
  return { cidr, network, broadcast: (network | (~mask >>> 0)) >>> 0, prefix, netmask: numberToIp(mask) };
}

/** The network of an interface address and its dotted-quad netmask. */
export function networkOf(address: string, netmask: string): Ipv4Network {
  const mask = ipToNumber(netmask);
  let prefix = 0;
  while (prefix < 32 && (mask >>> (31 - prefix)) & 1) prefix++;
  return parseCidr(`${numberToIp((ipToNumber(address) & mask) >>> 0)}/${prefix}`);
}

export function contains(net: Ipv4Network, ip: string): boolean {
  const n = ipToNumber(ip);
  return n >= net.network && n <= net.broadcast;
}

/** True for 0.0.0.0, the "unset" value of ciaddr/yiaddr/siaddr/giaddr. */
export function isUnset(ip: string): boolean {
  return ip === '0.0.0.0';
}
