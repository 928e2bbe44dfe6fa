/**
 * The path of a request as segments that are safe to join under a root, or why not.
 * Decoding comes first so that `%2e%2e`, `%2f` and `..%2f` are judged as what they mean.
 */
export type RequestPath =
  | { ok: true; segments: string[] }
  | { ok: false; status: 400 | 403; reason: string };

export function parseRequestPath(rawPath: string): RequestPath {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return { ok: false, status: 400, reason: 'bad percent-encoding' };
  }
  if (decoded.includes('\0')) return { ok: false, status: 403, reason: 'NUL in path' };
  const segments: string[] = [];
  for (const segment of decoded.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') return { ok: false, status: 403, reason: 'dot-dot in path' };
    segments.push(segment);
  }
  return { ok: true, segments };
}

const MAC = /^[0-9a-f]{2}([:-]?)[0-9a-f]{2}(\1[0-9a-f]{2}){4}$/i;

/**
 * `52:54:00:AB:CD:EF`, `52-54-00-ab-cd-ef` or `525400abcdef` → `52:54:00:ab:cd:ef`;
 * anything else → null. iPXE's `${net0/mac}` gives the colon form, `${mac:hexhyp}` the dashes.
 */
export function normalizeMac(text: string | null | undefined): string | null {
  if (!text || !MAC.test(text)) return null;
  const hex = text.replace(/[:-]/g, '').toLowerCase();
  return hex.replace(/(..)(?!$)/g, '$1:');
}

/**
 * The first `mac` parameter of a raw query string, as URLSearchParams would decode it, without
 * building one: `/boot.ipxe?mac=…` is the request a whole fleet makes.
 */
export function macParam(rawQuery: string): string | null {
  if (rawQuery === '') return null;
  // Escapes and `+` need the full decoder; a MAC in plain form (what iPXE sends) never has them.
  if (rawQuery.includes('%') || rawQuery.includes('+') || rawQuery.startsWith('?')) return new URLSearchParams(rawQuery).get('mac');
  for (const pair of rawQuery.split('&')) {
    if (pair === 'mac') return '';
    if (pair.startsWith('mac=')) return pair.slice(4);
  }
  return null;
}
