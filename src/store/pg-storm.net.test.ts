/**
 * Two bootfleet servers, one PostgreSQL, one DHCP storm (issue 4: "two bootfleet processes on
 * one database under a concurrent request storm end with no address leased twice and no
 * lease lost"). Everything on the wire stays inside namespaces this test makes, 198.18.0.0/20.
 *
 * ```
 *  [srv ns]   bf0 198.18.0.2/24  bootfleet serve (full) ──veth── srv0 ┐
 *  [srv2 ns]  bf0 198.18.0.3/24  bootfleet serve (full) ──veth── srv1 ┼─ br0 [lan ns]
 *  [client]   eth0 (no address)  dhcp-storm: 2000 MACs  ──veth── c0   ┘
 *
 *  PostgreSQL: a throwaway cluster on a Unix socket in a temp directory (files are reachable
 *  from every network namespace), `store: postgres://…` in both servers' configs.
 * ```
 *
 * Both servers hear every broadcast DISCOVER and offer from the same pool; each client takes
 * an offer (the servers in turn, so both serve) and REQUESTs it from that server, as a real
 * client does. At the end: no address is held by two clients in the database (it cannot be:
 * primary key), no address was ACKed to two MACs (a lease given away after its ACK would show
 * here), and every ACK is a bound lease of that MAC in the database (no lease lost).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { BootfleetProcess } from '../harness/bootfleet-process.js';
import { canUseNetns, destroyAll, Netns, vethPair } from '../lab/netns.js';
import { addClientNs, bootLab, LAB_NET, type Lab } from '../lab/topology.js';
import type { DhcpStormResult, DhcpStormSpec } from '../lab/dhcp-storm.js';
import { PgTestCluster } from './pg-test-cluster.js';
import { pgSkipReason } from './pg-test-support.js';

const STORM = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../lab/dhcp-storm.js');
const SECOND_SERVER = '198.18.0.3';
const CLIENTS = 2000;
const skip = !canUseNetns() ? 'needs root and iproute2 (network namespaces)' : (pgSkipReason() ?? false);

describe('two bootfleet servers on one PostgreSQL under a DHCP storm', { skip, timeout: 240_000 }, () => {
  let work: string;
  let cluster: PgTestCluster | null = null;
  let lab: Lab | null = null;
  const servers: BootfleetProcess[] = [];
  let url: string;

  before(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'bootfleet-storm-'));
    mkdirSync(path.join(work, 'http'));
    cluster = await PgTestCluster.start();
    url = cluster.createDatabase('storm');
    lab = await bootLab({ taps: 0 });
    const srv2 = Netns.create('srv2');
    vethPair(srv2, LAB_NET.serverIf, `${SECOND_SERVER}/${LAB_NET.serverPrefix}`, lab.lan, 'srv1', null);
    lab.lan.run('ip', ['link', 'set', 'srv1', 'master', LAB_NET.bridge]);
    const config = {
      store: url,
      interfaces: [{ name: LAB_NET.serverIf, mode: 'full', allowOtherDhcp: true, ipv6RaForIpxe: 'off' }],
      dhcp: {
        probeSeconds: 0,
        // 3839 addresses for 2000 clients: the pool never runs out, so every failure is a real one.
        subnets: [{ subnet: '198.18.0.0/20', pools: [{ start: '198.18.1.0', end: '198.18.15.254' }], leaseTime: 3600 }],
      },
      tftp: { enabled: false },
      http: { root: path.join(work, 'http') },
      api: { enabled: false },
    };
    // One after the other: the first creates the schema, the second finds it (the advisory lock covers a tie too).
    for (const [i, ns] of [lab.server, srv2].entries()) {
      const dir = path.join(work, `server${i}`);
      mkdirSync(dir);
      servers.push(await BootfleetProcess.start(ns, config, { dir, timeoutMs: 30_000 }));
    }
  });

  after(async () => {
    for (const s of servers) await s.stop();
    await lab?.destroy();
    await destroyAll();
    await cluster?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  test(`${CLIENTS} clients: no address leased twice, no lease lost, both servers serve`, async (t) => {
    assert.ok(lab);
    for (const s of servers) assert.ok(s.output.some((l) => l.includes('leases and fleet: PostgreSQL postgres://')), s.output.join('\n'));
    const client = addClientNs(lab, 'storm');
    const spec: DhcpStormSpec = { device: 'eth0', clients: CLIENTS, macPrefix: 0x42, window: 64, collectMs: 30, retryMs: 1500, tries: 4, rounds: 10, deadlineMs: 120_000 };
    const result = await runStorm(client, spec);

    const db = new pg.Client({ connectionString: url });
    await db.connect();
    const rows = (await db.query<{ address: string; mac: string | null; client_id: string | null; state: string }>('SELECT host(address) AS address, mac, client_id, state FROM leases')).rows;
    const perAddress = (await db.query<{ n: string }>('SELECT count(*) AS n FROM (SELECT address FROM leases GROUP BY address HAVING count(*) > 1) d')).rows[0]?.n;
    await db.end();

    const acksBy = (server: string): number => result.acks.filter((a) => a.server === server).length;
    const figures = {
      clients: CLIENTS,
      acked: result.acks.length,
      failed: result.failed.length,
      seconds: result.durationMs / 1000,
      exchangesPerSecond: Math.round(result.acks.length / (result.durationMs / 1000)),
      ackedBy: { [LAB_NET.serverAddr]: acksBy(LAB_NET.serverAddr), [SECOND_SERVER]: acksBy(SECOND_SERVER) },
      sent: result.sent,
      received: result.received,
      offeredByBoth: result.offeredByBoth,
      differentOffers: result.differentOffers,
      naks: result.naks,
      restarts: result.restarts,
      stray: result.stray,
      boundRows: rows.filter((r) => r.state === 'bound').length,
      rows: rows.length,
    };
    t.diagnostic(`storm: ${JSON.stringify(figures)}`);
    process.stdout.write(`# storm figures: ${JSON.stringify(figures)}\n`);

    // No address held by two clients in the database (the primary key makes this structural).
    assert.equal(Number(perAddress), 0);
    // No address ACKed to two MACs: the second ACK would mean the first lease was given away.
    const ackedTo = new Map<string, string>();
    for (const a of result.acks) {
      const before = ackedTo.get(a.ip);
      assert.ok(before === undefined || before === a.mac, `${a.ip} ACKed to ${before} and to ${a.mac}`);
      ackedTo.set(a.ip, a.mac);
    }
    // Every ACK is a bound lease of that MAC in the database: none lost.
    const byAddress = new Map(rows.map((r) => [r.address, r]));
    const lost = result.acks.filter((a) => {
      const row = byAddress.get(a.ip);
      return row?.mac !== a.mac || row.state !== 'bound';
    });
    assert.deepEqual(lost.slice(0, 10).map((a) => ({ ack: a, row: byAddress.get(a.ip) ?? null })), [], `${lost.length} ACKed lease(s) not bound in the database`);
    // Every client finished and both servers took part.
    assert.equal(result.failed.length, 0, `clients without an ACK: ${result.failed.slice(0, 10).join(', ')}`);
    assert.equal(result.acks.length, CLIENTS);
    assert.equal(new Set(result.acks.map((a) => a.mac)).size, CLIENTS);
    assert.ok(acksBy(LAB_NET.serverAddr) > 0 && acksBy(SECOND_SERVER) > 0, `both servers serve: ${JSON.stringify(figures.ackedBy)}`);
    assert.equal(figures.boundRows, CLIENTS, 'one bound lease per client, nothing else bound');
  });
});

/** Runs the load generator in `ns` and returns its result line. */
async function runStorm(ns: Netns, spec: DhcpStormSpec): Promise<DhcpStormResult> {
  const child = ns.spawn(process.execPath, [STORM, JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (l) => {
    lines.push(l);
    if (l.startsWith('progress ')) process.stdout.write(`# ${l}\n`);
  });
  createInterface({ input: child.stderr! }).on('line', (l) => lines.push(`stderr: ${l}`));
  const code = await new Promise<number>((resolve) => child.once('close', (c) => resolve(c ?? -1)));
  const line = lines.find((l) => l.startsWith('result '));
  assert.ok(line, `dhcp-storm exited ${code} without a result:\n${lines.slice(-20).join('\n')}`);
  return JSON.parse(line.slice('result '.length)) as DhcpStormResult;
}
