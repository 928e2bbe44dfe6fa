/**
 * IPv6 addresses as 16 bytes ⇄ text (RFC 4291 §2.2 in, RFC 5952 out), and the few
 * address facts Router Discovery needs. Node has no inet_pton for IPv6, and raw sockets
 * hand over `sockaddr_in6` bytes.
 */

/** Parses `fe80::1`, `2001:db8:0:0:0:0:0:1`, `::`; no zone (`%eth0`) and no embedded IPv4. Null when malformed. */
export function parseIpv6(text: string): Uint8Array | null {
  if (text.length === 0 || text.length > 39 || !/^[0-9a-fA-F:]+$/.test(text)) return null;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groups = (s: string): number[] | null => {
    if (s === '') return [];
    const parts = s.split(':');
    const out: number[] = [];
    for (const p of parts) {
      if (p.length === 0 || p.length > 4) return null;
      out.push(parseInt(p, 16));
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return null;
  let all: number[];
  if (halves.length === 2) {
    const missing = 8 - head.length - tail.length;
    // "::" stands for at least one group of zeros (RFC 4291 §2.2 item 2).
    if (missing < 1) return null;
    all = [...head, ...new Array<number>(missing).fill(0), ...tail];
  } else {
    if (head.length !== 8) return null;
    all = head;
  }
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}

/** RFC 5952 text: lower case, no leading zeros, the longest run (≥ 2) of zero groups as `::`. */
export function formatIpv6(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw new RangeError(`an IPv6 address is 16 bytes, not ${bytes.length}`);
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push((bytes[i * 2]! << 8) | bytes[i * 2 + 1]!);
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (xs: number[]): string => xs.map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return hex(g);
  return `${hex(g.slice(0, bestStart))}::${hex(g.slice(bestStart + bestLen))}`;
}

/** fe80::/10 (RFC 4291 §2.5.6): the only source a Router Advertisement may have (RFC 4861 §6.1.2). */
export function isLinkLocalUnicast(bytes: Uint8Array): boolean {
  return bytes.length === 16 && bytes[0] === 0xfe && (bytes[1]! & 0xc0) === 0x80;
}

export function isUnspecified(bytes: Uint8Array): boolean {
  return bytes.length === 16 && bytes.every((b) => b === 0);
}

/**
 * The MAC inside a modified EUI-64 interface identifier (RFC 4291 Appendix A: the MAC
 * split by ff:fe, universal/local bit inverted), or null when the identifier is not one.
 * iPXE and Linux (without privacy addresses) form link-local addresses this way.
 */
export function macFromModifiedEui64(bytes: Uint8Array): string | null {
  if (bytes.length !== 16 || bytes[11] !== 0xff || bytes[12] !== 0xfe) return null;
  const mac = [bytes[8]! ^ 0x02, bytes[9]!, bytes[10]!, bytes[13]!, bytes[14]!, bytes[15]!];
  return mac.map((b) => b.toString(16).padStart(2, '0')).join(':');
}
