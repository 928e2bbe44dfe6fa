/**
 * RFC 2347 option negotiation for a read request: which requested options the server
 * accepts, at what values, and the OACK that says so. Pure.
 */
import { DEFAULT_BLKSIZE, MAX_BLKSIZE, MIN_BLKSIZE, type TftpOption } from '../wire/tftp/packet.js';

export interface NegotiationLimits {
  /** Largest block size granted (RFC 2348 allows up to 65464). */
  maxBlksize: number;
  /** Largest window granted (RFC 7440). */
  maxWindowsize: number;
  /** Retransmission timeout used when the client does not ask for one. */
  defaultTimeoutSec: number;
}

export interface Negotiated {
  blksize: number;
  windowsize: number;
  timeoutSec: number;
  /** Options to acknowledge, in request order; `null` means send no OACK (RFC 2347 §3: start with DATA 1). */
  oack: TftpOption[] | null;
}

/** A decimal integer as TFTP clients send them; anything else is treated as an unusable option. */
function parseCount(value: string): number | null {
  return /^[0-9]{1,10}$/.test(value) ? Number(value) : null;
}

/**
 * Decides blksize (RFC 2348), tsize and timeout (RFC 2349) and windowsize (RFC 7440) for
 * a read of `size` bytes. Unknown or unusable options are left out of the OACK, which
 * RFC 2347 §3 says the client must take as refused. The first of duplicated options counts.
 */
export function negotiate(requested: readonly TftpOption[], size: number, limits: NegotiationLimits): Negotiated {
  const maxBlksize = Math.min(MAX_BLKSIZE, Math.max(MIN_BLKSIZE, Math.floor(limits.maxBlksize)));
  const maxWindowsize = Math.min(65535, Math.max(1, Math.floor(limits.maxWindowsize)));
  const result: Negotiated = { blksize: DEFAULT_BLKSIZE, windowsize: 1, timeoutSec: limits.defaultTimeoutSec, oack: null };
  const oack: TftpOption[] = [];
  const seen = new Set<string>();
  for (const [name, value] of requested) {
    if (seen.has(name)) continue;
    seen.add(name);
    const n = parseCount(value);
    if (n === null) continue;
    switch (name) {
      case 'blksize':
        // RFC 2348: the server may answer with a smaller size, never a larger one; a
        // request below 8 is invalid, so it is ignored rather than raised.
        if (n < MIN_BLKSIZE) break;
        result.blksize = Math.min(n, maxBlksize);
        oack.push([name, String(result.blksize)]);
        break;
      case 'tsize':
        // RFC 2349 §3: a read request carries 0; the OACK carries the real size.
        oack.push([name, String(size)]);
        break;
      case 'timeout':
        // RFC 2349 §2: 1..255 seconds, and the server must not answer a different value.
        if (n < 1 || n > 255) break;
        result.timeoutSec = n;
        oack.push([name, String(n)]);
        break;
      case 'windowsize':
        // RFC 7440 §3: 1..65535; the server may answer a smaller window.
        if (n < 1 || n > 65535) break;
        result.windowsize = Math.min(n, maxWindowsize);
        oack.push([name, String(result.windowsize)]);
        break;
      default:
        break;
    }
  }
  if (oack.length > 0) result.oack = oack;
  return result;
}
