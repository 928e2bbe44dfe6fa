/**
 * A benchmark lane: one client namespace and one server namespace joined by a veth, and
 * nothing else. Every server under test gets a lane of its own, all lanes alike, so the
 * harness can switch from one server to the next without restarting anything and no two
 * servers can ever see each other's packets. Addresses come from 198.18.0.0/15 (RFC 2544).
 *
 * ```
 *  [client ns] eth0 198.18.0.1/24 + 198.19.0.1/16 (relay) ──veth── bf0 198.18.0.2/24 [server ns]
 *                                                       route 198.19.0.0/16 dev bf0 ┘
 * ```
 * perfdhcp plays a DHCP relay at 198.19.0.1 (giaddr), so the pool lives in 198.19.0.0/16
 * (room for the 60 000-address pool) and the server reaches the relay on-link.
 */
import { Netns, vethPair } from '../lab/netns.js';

/** The address plan every lane shares. */
export const LANE = {
  clientIf: 'eth0',
  serverIf: 'bf0',
  clientAddr: '198.18.0.1',
  serverAddr: '198.18.0.2',
  prefix: 24,
  /** perfdhcp's relay address (giaddr) and the pool's network. */
  relayAddr: '198.19.0.1',
  relayNet: '198.19.0.0/16',
  relayNetmask: '255.255.0.0',
  /** First pool address; the relay and .0.2–.0.9 stay out of the pool. */
  poolStart: '198.19.0.10',
  /** Many clients at once each get their own source address from here on (198.18.0.10, .11, …). */
  firstClientHost: 10,
  /** How many such addresses a lane's client side has. */
  clientHosts: 200,
  /**
   * The client side's link address, and the MAC its HTTP requests name (`?mac=`): bootfleet
   * attributes a request to the MAC it names only when that is the sender's (src/http/README.md),
   * so the bench measures the honest path.
   */
  clientMac: '52:54:00:be:0c:01',
} as const;

/** A client and a server namespace for one server under test. */
export interface Lane {
  /** The server's name, e.g. `bootfleet`, `dnsmasq`. */
  readonly name: string;
  readonly client: Netns;
  readonly server: Netns;
  destroy(): Promise<void>;
}

/** Builds a lane; root only. On failure nothing is left behind. */
export function createLane(name: string): Lane {
  const client = Netns.create(`bc-${name}`.slice(0, 12));
  let server: Netns | null = null;
  try {
    server = Netns.create(`bs-${name}`.slice(0, 12));
    vethPair(client, LANE.clientIf, `${LANE.clientAddr}/${LANE.prefix}`, server, LANE.serverIf, `${LANE.serverAddr}/${LANE.prefix}`);
    client.run('ip', ['addr', 'add', `${LANE.relayAddr}/16`, 'dev', LANE.clientIf]);
    client.run('ip', ['link', 'set', 'dev', LANE.clientIf, 'address', LANE.clientMac]);
    // One address per simulated machine, so per-client limits see machines, not one host.
    const adds = clientHostAddresses().map((a) => `addr add ${a}/${LANE.prefix} dev ${LANE.clientIf}`);
    client.run('ip', ['-batch', '-'], { input: adds.join('\n') + '\n' });
    // Replies to a relay go to giaddr (RFC 2131 §4.1): the server must reach 198.19.0.1.
    server.run('ip', ['route', 'add', LANE.relayNet, 'dev', LANE.serverIf, 'src', LANE.serverAddr]);
    const srv = server;
    return {
      name,
      client,
      server: srv,
      async destroy() {
        await client.destroy();
        await srv.destroy();
      },
    };
  } catch (err) {
    void server?.destroy();
    void client.destroy();
    throw err;
  }
}

/** The client side's per-machine source addresses, 198.18.0.10 onwards. */
export function clientHostAddresses(): string[] {
  return Array.from({ length: LANE.clientHosts }, (_, i) => `198.18.0.${LANE.firstClientHost + i}`);
}

/** The pool's last address for a pool of `size` addresses starting at {@link LANE.poolStart}. */
export function poolEnd(size: number): string {
  const start = LANE.poolStart.split('.').reduce((n, p) => n * 256 + Number(p), 0);
  const end = start + size - 1;
  return [end >>> 24, (end >>> 16) & 255, (end >>> 8) & 255, end & 255].join('.');
}
