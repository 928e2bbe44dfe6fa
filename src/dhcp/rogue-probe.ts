/**
 * Start-up safety (issue 3 item 5): before bootfleet opens its own DHCP sockets, ask each
 * served segment whether a DHCP server already answers there, the way a client would: one
 * DHCPDISCOVER from the interface, then listen for OFFERs carrying its xid.
 *
 * - Full mode beside another DHCP server is refused unless allowed: two servers handing out
 *   addresses on one segment is the classic way to break a LAN.
 * - Proxy mode expects the LAN's server (it gives the addresses) and warns when none answers.
 *
 * The DISCOVER is a plain OS-like one: no option 60 `PXEClient`, 93, 77 or 175, so a PXE-aware
 * server (dnsmasq with pxe-service, WDS, another bootfleet) answers it as it would answer any
 * laptop, and a proxyDHCP server (which only answers PXE clients) stays silent: only servers that
 * give addresses are found, which is what conflicts with full mode.
 */
import { randomBytes } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import type { EventSink } from '../events/boot-event.js';
import { PacketTap } from '../transport/packet-tap.js';
import { UdpEndpoint } from '../transport/udp-endpoint.js';
import { decodeDhcp, encodeDhcp } from '../wire/dhcp/codec.js';
import { getIp, getMessageType, macOf, setMessageType } from '../wire/dhcp/options.js';
import { BootOp, FLAG_BROADCAST, MessageType, type DhcpPacket } from '../wire/dhcp/packet.js';

/** RFC 2131 §4.1: clients send from 68 to 67; servers answer to 68. */
const CLIENT_PORT = 68;
const SERVER_PORT = 67;
/** How often the packet tap is drained while listening. */
const POLL_MS = 20;
/**
 * Once one server has answered, wait this much longer for others (two servers, or a server and a
 * relay), then stop: the verdict is known, and a start beside the LAN's server should not take
 * the whole window.
 */
const SETTLE_MS = 500;

/** A DHCP server that answered the probe. */
export interface OtherDhcpServer {
  iface: string;
  /** Option 54 of its OFFER; null when it sent none (a BOOTP-era server). */
  serverId: string | null;
  /** Source IP of the OFFER (the server, or a relay agent forwarding for it). */
  from: string;
  siaddr: string;
  /** yiaddr: the address it would have given bootfleet's interface. */
  offered: string;
  /** Ethernet source of the OFFER; null when the packet tap could not be opened. */
  mac: string | null;
}

export type ProbeOutcome = { ok: true; servers: OtherDhcpServer[] } | { ok: false; error: string };

/** What the start-up check needs to know of one served interface. */
export interface ProbedInterface {
  name: string;
  mode: 'full' | 'proxy';
  /** `interfaces[].allowOtherDhcp` or `bootfleet serve --allow-other-dhcp`. */
  allowOtherDhcp: boolean;
}

/** Thrown by {@link checkForOtherDhcpServers} when full mode would run beside another DHCP server. */
export class OtherDhcpServerError extends Error {
  readonly code = 'DHCP_OTHER_SERVER';
  constructor(
    message: string,
    readonly found: OtherDhcpServer[],
  ) {
    super(message);
    this.name = 'OtherDhcpServerError';
  }
}

/**
 * The probe DISCOVER: broadcast flag set so that OFFERs come back broadcast (our socket on port
 * 68 is bound to 0.0.0.0 and this host does not own the offered address; RFC 2131 §4.1), chaddr
 * the interface's own MAC (a server may key its offer on it; nothing is leased without a REQUEST),
 * and only a parameter request list besides the message type.
 */
export function probeDiscover(mac: string, xid: number): DhcpPacket {
  const chaddr = Buffer.alloc(16);
  Buffer.from(mac.replace(/:/g, ''), 'hex').copy(chaddr);
  const options = new Map<number, Buffer>();
  setMessageType(options, MessageType.Discover);
  // Subnet mask, router, DNS, domain, lease time, server id: what an OS client asks.
  options.set(55, Buffer.from([1, 3, 6, 15, 51, 54]));
  return {
    op: BootOp.Request, htype: 1, hlen: 6, hops: 0, xid, secs: 0, flags: FLAG_BROADCAST,
    ciaddr: '0.0.0.0', yiaddr: '0.0.0.0', siaddr: '0.0.0.0', giaddr: '0.0.0.0',
    chaddr, sname: '', file: '', options,
  };
}

/** The OFFER in `payload` if it answers our DISCOVER (`xid`, our chaddr), else null. Never throws. */
export function offerFor(payload: Buffer, xid: number, mac: string): Pick<OtherDhcpServer, 'serverId' | 'siaddr' | 'offered'> | null {
  const d = decodeDhcp(payload);
  if (!d.ok) return null;
  const p = d.packet;
  if (p.op !== BootOp.Reply || p.xid !== xid || getMessageType(p) !== MessageType.Offer) return null;
  if (macOf(p) !== mac) return null;
  return { serverId: getIp(p.options, 54), siaddr: p.siaddr, offered: p.yiaddr };
}

/** The MAC of interface `name` in the current namespace, or null when it has none / is unknown. */
export function interfaceMac(name: string, table: ReturnType<typeof networkInterfaces> = networkInterfaces()): string | null {
  const mac = table[name]?.find((e) => e.mac !== '00:00:00:00:00:00')?.mac;
  return mac ?? null;
}

/**
 * Sends one DISCOVER from `device` (and once more halfway when nothing answered yet, as a client
 * retransmits) and collects the OFFERs for `listenMs`, or until {@link SETTLE_MS} after the first. Offers are read from a UDP socket on port
 * 68 and from a packet tap (which also names the sender's MAC and sees offers unicast despite
 * the broadcast flag); a server is listed once per (source, server id).
 */
export async function probeInterface(opts: { device: string; mac: string; listenMs: number; xid?: number }): Promise<ProbeOutcome> {
  const xid = opts.xid ?? randomBytes(4).readUInt32BE(0);
  const found = new Map<string, OtherDhcpServer>();
  let firstAt: number | null = null;
  const note = (payload: Buffer, from: string, mac: string | null): void => {
    const offer = offerFor(payload, xid, opts.mac);
    if (!offer) return;
    firstAt ??= Date.now();
    const key = `${from}|${offer.serverId ?? ''}`;
    const seen = found.get(key);
    if (seen) {
      if (seen.mac === null && mac !== null) seen.mac = mac;
      return;
    }
    found.set(key, { iface: opts.device, ...offer, from, mac });
  };

  let tap: PacketTap | null = null;
  try {
    tap = PacketTap.open(opts.device);
  } catch {
    // The MAC is a nicety: without the tap the UDP socket still hears broadcast offers.
  }
  let endpoint: UdpEndpoint;
  try {
    endpoint = await UdpEndpoint.open({ device: opts.device, port: CLIENT_PORT }, (data, from) => note(data, from.address, null), () => {});
  } catch (err) {
    tap?.close();
    return { ok: false, error: `cannot listen on ${opts.device} port ${CLIENT_PORT}: ${errorText(err)}` };
  }
  const drainTap = (): void => {
    for (const u of tap?.drain() ?? []) if (u.dstPort === CLIENT_PORT && u.srcPort === SERVER_PORT) note(u.payload, u.srcIp, u.ethSrc);
  };
  try {
    const start = Date.now();
    await endpoint.send(encodeDhcp(probeDiscover(opts.mac, xid)), SERVER_PORT, '255.255.255.255');
    let resent = false;
    for (;;) {
      await sleep(POLL_MS);
      drainTap();
      const now = Date.now();
      if (now - start >= opts.listenMs) break;
      if (firstAt !== null && now - firstAt >= SETTLE_MS) break;
      if (!resent && found.size === 0 && now - start >= opts.listenMs / 2) {
        resent = true;
        const again = probeDiscover(opts.mac, xid);
        again.secs = Math.floor((now - start) / 1000);
        await endpoint.send(encodeDhcp(again), SERVER_PORT, '255.255.255.255');
      }
    }
  } catch (err) {
    return { ok: false, error: `probe on ${opts.device} failed: ${errorText(err)}` };
  } finally {
    tap?.close();
    await endpoint.close();
  }
  return { ok: true, servers: [...found.values()] };
}

/** One line a person reads: who answered (and through which relay) and what it offered. */
export function describeServer(s: OtherDhcpServer): string {
  const id = s.serverId ?? s.from;
  const via = id !== s.from ? ` via ${s.from}` : '';
  const next = s.siaddr !== '0.0.0.0' ? `, next-server ${s.siaddr}` : '';
  return `${id}${via} (${s.mac ? `MAC ${s.mac}, ` : ''}offered ${s.offered}${next})`;
}

/**
 * Probes every interface at once, reports what it found (an event per server, `dhcp.other-server`,
 * and a line each through `say`), and throws {@link OtherDhcpServerError} when a full-mode
 * interface that is not allowed has another server. `listenSeconds` 0 skips the probe.
 */
export async function checkForOtherDhcpServers(
  ifaces: ProbedInterface[],
  opts: { listenSeconds: number; events: EventSink; say: (line: string) => void; probe?: typeof probeInterface; macOf?: (name: string) => string | null },
): Promise<void> {
  if (ifaces.length === 0) return;
  if (opts.listenSeconds <= 0) {
    opts.say('dhcp probe: off (dhcp.probeSeconds: 0): not checking for other DHCP servers');
    return;
  }
  const probe = opts.probe ?? probeInterface;
  const macFor = opts.macOf ?? ((n: string) => interfaceMac(n));
  const listenMs = opts.listenSeconds * 1000;
  opts.say(`dhcp probe: asking ${ifaces.map((i) => i.name).join(', ')} for other DHCP servers (${opts.listenSeconds} s)`);
  const outcomes = await Promise.all(
    ifaces.map(async (i): Promise<ProbeOutcome> => {
      const mac = macFor(i.name);
      if (mac === null) return { ok: false, error: `interface ${i.name} has no MAC address` };
      return probe({ device: i.name, mac, listenMs });
    }),
  );
  const refused: string[] = [];
  const refusedServers: OtherDhcpServer[] = [];
  ifaces.forEach((iface, n) => {
    const outcome = outcomes[n];
    if (!outcome) return;
    const where = `${iface.name} (${iface.mode})`;
    if (!outcome.ok) {
      opts.events.emit({ kind: 'dhcp.probe', level: 'warn', msg: `could not probe ${iface.name}: ${outcome.error}`, data: { iface: iface.name, mode: iface.mode, error: outcome.error } });
      opts.say(`warning: dhcp probe on ${where}: ${outcome.error}; other DHCP servers there are unknown`);
      return;
    }
    const level = iface.mode === 'proxy' ? 'info' : iface.allowOtherDhcp ? 'warn' : 'error';
    for (const s of outcome.servers) {
      opts.events.emit({
        kind: 'dhcp.other-server',
        level,
        msg: `DHCP server ${s.serverId ?? s.from} answers on ${iface.name}`,
        data: { iface: s.iface, mode: iface.mode, serverId: s.serverId, from: s.from, siaddr: s.siaddr, offered: s.offered, serverMac: s.mac, allowed: iface.mode === 'proxy' || iface.allowOtherDhcp },
      });
      opts.say(`dhcp probe on ${where}: DHCP server ${describeServer(s)}`);
    }
    const found = outcome.servers.length;
    opts.events.emit({
      kind: 'dhcp.probe',
      level: iface.mode === 'proxy' && found === 0 ? 'warn' : 'info',
      msg: `${found} other DHCP server(s) on ${iface.name}`,
      data: { iface: iface.name, mode: iface.mode, found, seconds: opts.listenSeconds },
    });
    if (found === 0) {
      opts.say(
        iface.mode === 'proxy'
          ? `warning: dhcp probe on ${where}: no DHCP server answered in ${opts.listenSeconds} s: PXE clients here get boot options from bootfleet but no address unless the LAN's DHCP server answers them`
          : `dhcp probe on ${where}: no other DHCP server answered in ${opts.listenSeconds} s`,
      );
    } else if (iface.mode === 'proxy') {
      opts.say(`dhcp probe on ${where}: the LAN's DHCP server gives addresses; bootfleet adds boot options only`);
    } else if (iface.allowOtherDhcp) {
      opts.say(`warning: dhcp probe on ${where}: full-mode DHCP beside another DHCP server, because allowOtherDhcp / --allow-other-dhcp says so`);
    } else {
      refused.push(`${iface.name}: ${outcome.servers.map((s) => describeServer(s)).join('; ')}`);
      refusedServers.push(...outcome.servers);
    }
  });
  if (refused.length > 0) {
    const names = [...new Set(refusedServers.map((s) => s.iface))].join(', ');
    throw new OtherDhcpServerError(
      `refusing full-mode DHCP: another DHCP server answers on ${refused.join(' | ')}. Two servers handing out addresses on one segment ` +
        `break it. To network-boot beside that server, set mode: proxy for ${names}; to run full mode anyway (e.g. beside a failover ` +
        `peer sharing this lease database), set allowOtherDhcp: true on the interface or run bootfleet serve --allow-other-dhcp.`,
      refusedServers,
    );
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
