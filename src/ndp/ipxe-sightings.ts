/**
 * Which machines are iPXE right now, learned from the DHCP event stream: only a client
 * that just ran an iPXE DHCP exchange on an interface gets a router advertisement there.
 *
 * A DHCP reply whose boot plan is `ipxe-script` went to a client that identified itself as
 * iPXE (option 175 or user class `iPXE`, boot/decide.ts); an event that names the client's
 * firmware (`data.firmware: 'ipxe'`) says so directly, whatever the boot policy labels its
 * plan. Full-mode offers and acks do not name the interface, so it is taken from the
 * client's DISCOVER/REQUEST event before them.
 */
import type { BootEvent } from '../events/boot-event.js';
import { RecentMap } from '../collections/recent-map.js';

/** One iPXE DHCP exchange of one client. */
export interface IpxeSighting {
  /** Interface the exchange happened on; null if no event named it. */
  iface: string | null;
  /** Latest reply of the exchange. */
  at: number;
  /** We already answered a router solicitation of this exchange. */
  answered: boolean;
}

/**
 * Clients remembered: at least the latest MAX_CLIENTS, at most twice as many. Every DHCP
 * DISCOVER and REQUEST passes through here; a Map kept in recency order by delete + set cost
 * a rehash every few thousand clients under DHCP load, {@link RecentMap} does not.
 */
const MAX_CLIENTS = 4096;

export class IpxeSightings {
  private readonly byMac = new RecentMap<string, IpxeSighting>(MAX_CLIENTS);
  private readonly lastIface = new RecentMap<string, string>(MAX_CLIENTS);

  /** `exchangeSpanMs`: an ack this soon after an offer continues the same exchange. */
  constructor(private readonly exchangeSpanMs: number) {}

  /** Feeds one event; returns the client's MAC when its sighting changed. */
  note(e: BootEvent, at: number): string | null {
    const mac = e.mac;
    if (!mac) return null;
    const iface = typeof e.data?.iface === 'string' ? e.data.iface : null;
    if ((e.kind === 'dhcp.discover' || e.kind === 'dhcp.request') && iface !== null) {
      // Most clients ask on the interface they asked on before: nothing to write then.
      if (this.lastIface.touch(mac) !== iface) this.lastIface.set(mac, iface);
      return null;
    }
    if (e.data?.boot !== 'ipxe-script' && e.data?.firmware !== 'ipxe') return null;
    const where = iface ?? this.lastIface.get(mac) ?? null;
    const starts = e.kind === 'dhcp.offer' || e.kind === 'dhcp.proxy-offer';
    const continues = e.kind === 'dhcp.ack' || e.kind === 'dhcp.proxy-ack';
    if (!starts && !continues) return null;
    const prev = this.byMac.get(mac);
    if (continues && prev && prev.iface === where && at - prev.at <= this.exchangeSpanMs) {
      // An ACK after the OFFER we may already have answered: same exchange, same answer.
      this.byMac.set(mac, { ...prev, at });
    } else {
      this.byMac.set(mac, { iface: where, at, answered: false });
    }
    return mac;
  }

  /** The client's latest iPXE exchange, if it happened on `iface` (or on an unnamed interface). */
  get(mac: string, iface: string): IpxeSighting | null {
    const s = this.byMac.get(mac);
    return s && (s.iface === null || s.iface === iface) ? s : null;
  }

  markAnswered(mac: string): void {
    const s = this.byMac.get(mac);
    if (s) s.answered = true;
  }
}
