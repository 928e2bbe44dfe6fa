/**
 * Just enough BOOTP/DHCP parsing (RFC 2131 §2, RFC 2132) for the lab to sort captured
 * packets by client and message type. Lab-only: the real codec lives in src/wire/dhcp.
 */

/** The fields of a BOOTP/DHCP message the lab needs. */
export interface DhcpPeek {
  /** 1 = BOOTREQUEST (client), 2 = BOOTREPLY (server). */
  op: number;
  xid: number;
  flags: number;
  chaddr: string;
  yiaddr: string;
  siaddr: string;
  file: string;
  /** Options by code; repeated options are concatenated (RFC 3396). */
  options: Map<number, Uint8Array>;
  msgType: number | undefined;
}

export const MESSAGE_TYPE_NAMES: Record<number, string> = {
  1: 'discover',
  2: 'offer',
  3: 'request',
  4: 'decline',
  5: 'ack',
  6: 'nak',
  7: 'release',
  8: 'inform',
};

const FIXED = 236;
const COOKIE = [0x63, 0x82, 0x53, 0x63];

function ip(b: Uint8Array, at: number): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

/** Parses a DHCP message, or returns null for anything that is not one. */
export function peekDhcp(b: Uint8Array): DhcpPeek | null {
  if (b.length < FIXED + 4 || (b[0] !== 1 && b[0] !== 2)) return null;
  if (COOKIE.some((c, i) => b[FIXED + i] !== c)) return null;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const hlen = Math.min(b[2] ?? 0, 16);
  const chaddr = Array.from(b.subarray(28, 28 + hlen), (x) => x.toString(16).padStart(2, '0')).join(':');
  const fileBytes = b.subarray(108, 236);
  const nul = fileBytes.indexOf(0);
  const file = Buffer.from(fileBytes.subarray(0, nul < 0 ? fileBytes.length : nul)).toString('latin1');
  const options = new Map<number, Uint8Array>();
  let at = FIXED + 4;
  while (at < b.length) {
    const code = b[at] ?? 255;
    if (code === 255) break;
    if (code === 0) {
      at++;
      continue;
    }
    const len = b[at + 1];
    if (len === undefined || at + 2 + len > b.length) break;
    const value = b.subarray(at + 2, at + 2 + len);
    const prev = options.get(code);
    options.set(code, prev ? Buffer.concat([prev, value]) : value);
    at += 2 + len;
  }
  return {
    op: b[0] ?? 0,
    xid: v.getUint32(4, false),
    flags: v.getUint16(10, false),
    chaddr,
    yiaddr: ip(b, 16),
    siaddr: ip(b, 20),
    file,
    options,
    msgType: options.get(53)?.[0],
  };
}

/** An option's bytes as text (vendor class, user class), printable ASCII only. */
export function optionText(p: DhcpPeek, code: number): string | undefined {
  const v = p.options.get(code);
  if (!v) return undefined;
  return Buffer.from(v).toString('latin1').replace(/[^\x20-\x7e]/g, '.');
}
