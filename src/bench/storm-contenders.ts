/**
 * The storm's server sides, each in its own lane: bootfleet alone (DHCP, TFTP and HTTP in
 * one process, its SQLite lease store on the real disk), and the stack it replaces, dnsmasq
 * (DHCP + TFTP, leases on tmpfs) with nginx (HTTP), configured as in the other groups.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { BenchContext } from './context.js';
import type { Lane } from './lane.js';
import { SUBJECT } from './results.js';
import { startBootfleet } from './servers/bootfleet.js';
import { startDnsmasq } from './servers/dnsmasq.js';
import { startNginx } from './servers/nginx.js';
import type { RunningServer } from './servers/running-server.js';
import type { StormContender } from './storm-bench.js';

/** The peer's name in the tables. */
export const STORM_PEER = 'dnsmasq+nginx';

export function stormContenders(ctx: BenchContext, lane: (name: string) => Lane, track: (s: RunningServer) => RunningServer, withPeer: boolean): StormContender[] {
  let n = 0;
  const fresh = (base: string, name: string): string => {
    const d = path.join(base, `storm-${name}-${Date.now()}-${n++}`);
    mkdirSync(d, { recursive: true });
    return d;
  };
  const out: StormContender[] = [
    {
      name: SUBJECT,
      lane: lane(SUBJECT),
      start: async (pool) => {
        const dir = fresh(ctx.workDir, SUBJECT);
        return [track(await startBootfleet({ ns: lane(SUBJECT).server, dir, dataDir: path.join(dir, 'data'), filesDir: ctx.filesDir, poolSize: pool }))];
      },
    },
  ];
  if (withPeer) {
    // One lane for the pair; 'dnsmasq' is also the DHCP and TFTP groups' lane, idle by now.
    const peerLane = lane('dnsmasq');
    out.push({
      name: STORM_PEER,
      lane: peerLane,
      start: async (pool) => {
        const dir = fresh(ctx.workDir, 'peer');
        const dnsmasq = track(await startDnsmasq({ ns: peerLane.server, dir, leaseDir: fresh(ctx.shmDir, 'dnsmasq'), tftpRoot: ctx.filesDir, poolSize: pool }));
        const nginx = track(await startNginx({ ns: peerLane.server, dir, root: ctx.filesDir, port: 8080 }));
        return [dnsmasq, nginx];
      },
    });
  }
  return out;
}
