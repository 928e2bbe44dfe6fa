/**
 * The lab's network: one L2 segment (198.18.0.0/24) made of a bridge in a "lan" namespace,
 * the VMs' taps on it, a "server" namespace plugged in through a veth, and optional
 * "client" namespaces (for OS DHCP clients such as busybox udhcpc). Only the server has an
 * address; the bridge has none, so the lan namespace never answers anything itself.
 *
 * ```
 *  [server ns] bf0 198.18.0.2/24 ──veth── srv0 ┐
 *  [lan ns]                     tap0, tap1 … ─┼─ br0 (no address)
 *  [client ns] eth0 (no address) ──veth── c0 ─┘
 * ```
 */
import { Netns, bridge, tap, vethPair } from './netns.js';

/** Address plan of the lab segment. */
export const LAB_NET = {
  cidr: '198.18.0.0/24',
  serverAddr: '198.18.0.2',
  serverPrefix: 24,
  serverIf: 'bf0',
  bridge: 'br0',
  /** A range for reference DHCP servers (dnsmasq) and bootfleet pools in lab tests. */
  poolStart: '198.18.0.100',
  poolEnd: '198.18.0.200',
} as const;

/** A running lab topology; call `destroy()` (or netns `destroyAll()`) when done. */
export interface Lab {
  /** Holds bridge `br0` and the VM taps. */
  lan: Netns;
  /** Holds `bf0` with {@link LAB_NET.serverAddr}; servers under test run here. */
  server: Netns;
  tapNames: string[];
  serverAddr: typeof LAB_NET.serverAddr;
  serverIf: typeof LAB_NET.serverIf;
  bridgeName: typeof LAB_NET.bridge;
  /** Client namespaces added with {@link addClientNs}; destroyed with the lab. */
  clients: Netns[];
  destroy(): Promise<void>;
}

/** Builds the lab: bridge, `taps` taps (default 1), server veth. Requires root. */
export async function bootLab(opts: { taps?: number } = {}): Promise<Lab> {
  const taps = opts.taps ?? 1;
  const lan = Netns.create('lan');
  let server: Netns | null = null;
  try {
    server = Netns.create('srv');
    bridge(lan, LAB_NET.bridge, null);
    const tapNames: string[] = [];
    for (let i = 0; i < taps; i++) {
      const name = `tap${i}`;
      tap(lan, name, LAB_NET.bridge);
      tapNames.push(name);
    }
    vethPair(server, LAB_NET.serverIf, `${LAB_NET.serverAddr}/${LAB_NET.serverPrefix}`, lan, 'srv0', null);
    lan.run('ip', ['link', 'set', 'srv0', 'master', LAB_NET.bridge]);
    const srv = server;
    const clients: Netns[] = [];
    const lab: Lab = {
      lan,
      server: srv,
      tapNames,
      serverAddr: LAB_NET.serverAddr,
      serverIf: LAB_NET.serverIf,
      bridgeName: LAB_NET.bridge,
      clients,
      async destroy() {
        // Clients and server first so their processes end while the bridge still exists.
        await Promise.all([...clients.map((c) => c.destroy()), srv.destroy()]);
        await lan.destroy();
      },
    };
    return lab;
  } catch (err) {
    await server?.destroy();
    await lan.destroy();
    throw err;
  }
}

/**
 * Adds a client namespace on the lab segment with interface `eth0` (up, no address), for
 * running an OS DHCP client such as `udhcpc -i eth0`. `mac` fixes eth0's MAC (default: random).
 */
export function addClientNs(lab: Lab, name: string, mac?: string): Netns {
  const ns = Netns.create(`cl-${name}`);
  lab.clients.push(ns);
  const lanEnd = `c${lab.clients.length - 1}`;
  vethPair(ns, 'eth0', null, lab.lan, lanEnd, null);
  if (mac) ns.run('ip', ['link', 'set', 'eth0', 'address', mac]);
  lab.lan.run('ip', ['link', 'set', lanEnd, 'master', LAB_NET.bridge]);
  return ns;
}
