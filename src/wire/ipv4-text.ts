/**
 * A dotted quad as an unsigned 32-bit number, -1 when `text` is not one (four decimal parts of
 * 1–3 digits, each ≤ 255). One pass over the characters, no split or RegExp: DHCP parses
 * addresses on every request and every reply it sends.
 */
export function parseIpv4(text: string): number {
  let n = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || part > 255 || dots === 3) return -1;
      n = n * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57 && digits < 3) {
      part = part * 10 + (c - 48);
      digits++;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0 || part > 255) return -1;
  return n * 256 + part;
}
