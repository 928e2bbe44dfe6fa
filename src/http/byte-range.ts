/**
 * The `Range` header of a request for a file of `size` bytes (RFC 9110 §14.1.2, §14.2).
 * - `full`: send the whole file with 200. Used for no header, a unit other than bytes,
 *   bad syntax (a server MAY ignore a Range it cannot parse) and several ranges at once
 *   (we answer multi-range with the full body rather than multipart/byteranges).
 * - `partial`: send bytes start..end inclusive with 206.
 * - `unsatisfiable`: 416 with `Content-Range: bytes * /size`.
 */
export type ByteRange =
  | { kind: 'full' }
  | { kind: 'partial'; start: number; end: number }
  | { kind: 'unsatisfiable' };

const FULL: ByteRange = { kind: 'full' };
const UNSATISFIABLE: ByteRange = { kind: 'unsatisfiable' };
const SPEC = /^\s*(\d*)\s*-\s*(\d*)\s*$/;

export function parseByteRange(header: string | undefined, size: number): ByteRange {
  if (header === undefined) return FULL;
  const eq = header.indexOf('=');
  if (eq < 0 || header.slice(0, eq).trim().toLowerCase() !== 'bytes') return FULL;
  const spec = header.slice(eq + 1);
  if (spec.includes(',')) return FULL;
  const m = SPEC.exec(spec);
  if (!m) return FULL;
  const first = m[1] ?? '';
  const last = m[2] ?? '';
  if (first === '' && last === '') return FULL;
  if (first === '') {
    // Suffix range `-N`: the last N bytes. N = 0, or any suffix of an empty file, selects nothing.
    const n = Number(last);
    if (n === 0 || size === 0) return UNSATISFIABLE;
    return { kind: 'partial', start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(first);
  if (last !== '' && Number(last) < start) return FULL; // invalid range-spec: ignore the header
  if (start >= size) return UNSATISFIABLE;
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  return { kind: 'partial', start, end };
}
