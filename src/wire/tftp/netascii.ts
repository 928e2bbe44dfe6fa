/**
 * RFC 1350 netascii (the NVT ASCII of RFC 764): line ends travel as CR LF and a bare CR
 * as CR NUL. bootfleet converts rather than serving netascii as octet, so `tftp -m
 * ascii` text comes out right; files are converted once, whole, before the transfer,
 * which also makes the RFC 2349 tsize answer the converted length.
 */
export function toNetascii(data: Uint8Array): Buffer {
  let extra = 0;
  for (const b of data) if (b === 0x0a || b === 0x0d) extra++;
  if (extra === 0) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const out = Buffer.allocUnsafe(data.length + extra);
  let at = 0;
  for (const b of data) {
    if (b === 0x0a) {
      out[at++] = 0x0d;
      out[at++] = 0x0a;
    } else if (b === 0x0d) {
      out[at++] = 0x0d;
      out[at++] = 0x00;
    } else {
      out[at++] = b;
    }
  }
  return out;
}

/** The inverse of {@link toNetascii}, for clients and tests. A CR followed by anything else is kept. */
export function fromNetascii(data: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(data.length);
  let at = 0;
  for (let i = 0; i < data.length; i++) {
    const b = data[i] ?? 0;
    const next = data[i + 1];
    if (b === 0x0d && next === 0x0a) {
      out[at++] = 0x0a;
      i++;
    } else if (b === 0x0d && next === 0x00) {
      out[at++] = 0x0d;
      i++;
    } else {
      out[at++] = b;
    }
  }
  return out.subarray(0, at);
}
