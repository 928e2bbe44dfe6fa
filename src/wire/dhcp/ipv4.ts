/**
 * Dotted-quad IPv4 text ⇄ 4 bytes, for the codec's address fields and options.
 * Strict on the way in (a server's own config must never produce a wrong address silently).
 */

const DOTTED_QUAD = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Format 4 bytes at `offset` as "a.b.c.d". The caller guarantees the bytes exist. */
export function formatIpv4(bytes: Uint8Array, offset: number): string {
  return `${bytes[offset] ?? 0}.${bytes[offset + 1] ?? 0}.${bytes[offset + 2] ?? 0}.${bytes[offset + 3] ?? 0}`;
}

/** True when `text` is a dotted quad with every part 0..255 (no leading "+", no spaces). */
export function isIpv4(text: string): boolean {
  const m = DOTTED_QUAD.exec(text);
  if (m === null) return false;
  for (let i = 1; i <= 4; i++) if (Number(m[i]) > 255) return false;
  return true;
}

/**
 * Write dotted-quad `text` as 4 bytes at `offset`.
 * @throws RangeError when `text` is not a dotted quad.
 */
export function writeIpv4(text: string, target: Uint8Array, offset: number): void {
  const m = DOTTED_QUAD.exec(text);
  if (m === null) throw new RangeError(`not an IPv4 address: ${JSON.stringify(text)}`);
  for (let i = 0; i < 4; i++) {
    const part = Number(m[i + 1]);
    if (part > 255) throw new RangeError(`not an IPv4 address: ${JSON.stringify(text)}`);
    target[offset + i] = part;
  }
}
