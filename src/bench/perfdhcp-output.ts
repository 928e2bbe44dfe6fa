/**
 * Reads perfdhcp's (Kea 2.2) final report: the achieved rate and, for each half of the
 * exchange (DISCOVER-OFFER, REQUEST-ACK), what was sent, received and dropped, the delays,
 * and how many addresses were handed to more than one client (with `-u`). Pure.
 */

export interface ExchangeStats {
  sent: number;
  received: number;
  drops: number;
  /** With `-u`: addresses seen given to two clients. */
  nonUnique: number;
  minMs: number;
  avgMs: number;
  maxMs: number;
}

export interface PerfdhcpResult {
  /** Achieved 4-way exchanges per second, as perfdhcp reports it. */
  rate: number;
  discoverOffer: ExchangeStats;
  requestAck: ExchangeStats;
}

function field(block: string, label: string): number {
  const m = new RegExp(`^${label}:\\s*([0-9.]+)`, 'm').exec(block);
  return m ? Number(m[1]) : NaN;
}

function exchange(block: string): ExchangeStats {
  return {
    sent: field(block, 'sent packets'),
    received: field(block, 'received packets'),
    drops: field(block, 'drops'),
    nonUnique: field(block, 'non unique addresses'),
    minMs: field(block, 'min delay'),
    avgMs: field(block, 'avg delay'),
    maxMs: field(block, 'max delay'),
  };
}

/** Parses the report, or returns null when it is not there (perfdhcp failed to start). */
export function parsePerfdhcp(text: string): PerfdhcpResult | null {
  const rate = /^Rate:\s*([0-9.]+)/m.exec(text);
  const doStart = text.indexOf('***Statistics for: DISCOVER-OFFER***');
  const raStart = text.indexOf('***Statistics for: REQUEST-ACK***');
  if (!rate || doStart < 0) return null;
  const doBlock = text.slice(doStart, raStart < 0 ? undefined : raStart);
  const raBlock = raStart < 0 ? '' : text.slice(raStart);
  const empty: ExchangeStats = { sent: 0, received: 0, drops: 0, nonUnique: 0, minMs: NaN, avgMs: NaN, maxMs: NaN };
  return { rate: Number(rate[1]), discoverOffer: exchange(doBlock), requestAck: raStart < 0 ? empty : exchange(raBlock) };
}

/**
 * Share of DORA exchanges that did not complete: DISCOVERs sent that never got their ACK,
 * whichever half was lost. The figure the 1 % threshold applies to.
 */
export function doraLoss(r: PerfdhcpResult): number {
  const started = r.discoverOffer.sent;
  if (!(started > 0)) return 1;
  return Math.max(0, 1 - r.requestAck.received / started);
}

/**
 * Who holds which address, from ACKs in the order they came: an address ACKed to a client
 * while another client's ACKed lease on it still stands is a duplicate. (perfdhcp's own `-u`
 * also counts a client that simply renews its address, so it cannot tell.) Clients are named
 * by MAC, from the ACKs on the wire (`ack-capture.ts`). A client that
 * is ACKed a new address gives up its old one. Leases outlast a benchmark run, none are
 * released, so nothing else frees an address.
 */
export class LeaseLedger {
  private readonly byClient = new Map<string, string>();
  private readonly byAddress = new Map<string, string>();
  readonly duplicates: { address: string; holder: string; other: string }[] = [];

  add(clientId: string, address: string): void {
    const holder = this.byAddress.get(address);
    if (holder !== undefined && holder !== clientId) this.duplicates.push({ address, holder, other: clientId });
    const previous = this.byClient.get(clientId);
    if (previous !== undefined && previous !== address && this.byAddress.get(previous) === clientId) this.byAddress.delete(previous);
    this.byClient.set(clientId, address);
    this.byAddress.set(address, clientId);
  }

  /** Clients holding an address. */
  get size(): number {
    return this.byClient.size;
  }
}
