/**
 * The responder over real raw sockets, inside namespaces this test creates (bridge, veths;
 * IPv6 link-local addresses only, plus the documentation prefix 2001:db8:1::/64 from the
 * stand-in router). The soliciting client is `rdisc6` (Debian's ndisc6), an independent
 * implementation; packets are captured on the bridge to check what went where.
 *
 *   [srv ns] bf0 ── serve-standalone (RaResponder) ─┐
 *   [cl-ipxe ns] eth0 ── rdisc6 ────────────────────┼─ br0 (lan ns, tcpdump)
 *   [cl-rtr ns] eth0 ── lab-router (unsolicited RA) ┘
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { canUseNetns, destroyAll, type Netns } from '../lab/netns.js';
import { addClientNs, bootLab, type Lab } from '../lab/topology.js';
import { startCapture } from '../lab/tcpdump.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const hasRdisc6 = spawnSync('rdisc6', ['-V'], { stdio: 'ignore' }).status === 0;
const skip = !canUseNetns() ? 'needs root to create network namespaces' : !hasRdisc6 ? 'needs rdisc6 (Debian package ndisc6)' : false;

const MAC_CLIENT = '52:54:00:bf:06:0a';
const MAC_ROUTER = '52:54:00:bf:06:01';
/** Start-up listening shortened so the test does not wait 4 s per responder. */
const TIMING = JSON.stringify({ startupQuietMs: 300, probeDelayMs: 0 });

interface LoggedEvent {
  kind: string;
  mac?: string;
  msg: string;
  data?: Record<string, unknown>;
}

/** A serve-standalone child: its events as they come, and its stdin for DHCP events. */
class Responder {
  readonly events: LoggedEvent[] = [];
  private readonly waiters = new Set<() => void>();
  constructor(readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('event ')) this.events.push(JSON.parse(line.slice(6)) as LoggedEvent);
      for (const w of this.waiters) w();
    });
  }
  waitFor(pred: (e: LoggedEvent) => boolean, timeoutMs: number, what: string): Promise<LoggedEvent> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const hit = this.events.find(pred);
        if (hit) {
          clearTimeout(timer);
          this.waiters.delete(check);
          resolve(hit);
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}; events: ${this.events.map((e) => e.kind).join(' ')}`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }
  /** What the DHCP server emits when an iPXE client's DISCOVER is answered. */
  ipxeSeen(mac: string, iface: string): void {
    this.child.stdin!.write(JSON.stringify({ kind: 'dhcp.offer', level: 'info', mac, msg: 'OFFER', data: { iface, boot: 'ipxe-script' } }) + '\n');
  }
}

function linkLocal(ns: Netns, dev: string): string | null {
  const text = ns.run('ip', ['-6', '-o', 'addr', 'show', 'dev', dev, 'scope', 'link']);
  if (/tentative/.test(text)) return null;
  return /inet6 (fe80::[0-9a-f:]+)\//.exec(text)?.[1] ?? null;
}

/** Duplicate address detection takes about a second after a link comes up. */
async function waitLinkLocal(ns: Netns, dev: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const ll = linkLocal(ns, dev);
    if (ll) return ll;
    await sleep(100);
  }
  throw new Error(`${dev} in ${ns.name} has no usable link-local address`);
}

function rdisc6(ns: Netns, waitMs: number): string {
  // -1: stop at the first answer; one solicitation; -n: no DNS.
  const r = spawnSync('ip', ['netns', 'exec', ns.name, 'rdisc6', '-1', '-n', '-r', '1', '-w', String(waitMs), 'eth0'], { encoding: 'utf8', timeout: waitMs + 5000 });
  return `${r.stdout}${r.stderr}`;
}

describe('RA responder: real sockets in namespaces', { skip, timeout: 60_000 }, () => {
  let lab: Lab;
  let client: Netns;
  let router: Netns;
  let dir: string;
  let serverLl: string;
  let clientLl: string;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'bootfleet-ndp-'));
    lab = await bootLab({ taps: 0 });
    client = addClientNs(lab, 'ipxe', MAC_CLIENT);
    router = addClientNs(lab, 'rtr', MAC_ROUTER);
    // addClientNs sets the MAC after the link came up, so the link-local address still holds
    // the random one; down and up again derives it from the MAC, as iPXE's is (modified EUI-64).
    for (const ns of [client, router]) {
      ns.run('ip', ['link', 'set', 'eth0', 'down']);
      ns.run('ip', ['link', 'set', 'eth0', 'up']);
    }
    [serverLl, clientLl] = await Promise.all([waitLinkLocal(lab.server, lab.serverIf), waitLinkLocal(client, 'eth0'), waitLinkLocal(router, 'eth0')]);
  });

  after(async () => {
    await lab?.destroy();
    await destroyAll();
  });

  async function startResponder(): Promise<Responder> {
    const child = lab.server.spawn(process.execPath, [path.join(here, 'serve-standalone.js'), '--device', lab.serverIf, '--timing', TIMING], { stdio: ['pipe', 'pipe', 'inherit'] });
    const r = new Responder(child);
    // Answering starts once our own solicitation went out and the start-up listening is over.
    await r.waitFor((e) => e.kind === 'ndp.probe', 10_000, 'the start-up router solicitation');
    await sleep(400);
    return r;
  }

  test('an iPXE client solicits and gets our advertisement: unicast to its link-local address, hop limit 255, lifetime 0, no prefix, M=O=0', async () => {
    const responder = await startResponder();
    const capture = await startCapture(lab.lan, lab.bridgeName, path.join(dir, 'ra.pcap'), 'icmp6');
    try {
      responder.ipxeSeen(MAC_CLIENT, lab.serverIf);
      const out = rdisc6(client, 3000);
      assert.match(out, new RegExp(`from ${serverLl}`), out);
      assert.match(out, /Router lifetime\s*:\s*0 /, out);
      assert.match(out, /Stateful address conf\.\s*:\s*No/, out);
      assert.match(out, /Stateful other conf\.\s*:\s*No/, out);
      assert.match(out, /Hop limit\s*:\s*undefined/, out);
      assert.doesNotMatch(out, /Prefix|MTU|Recursive DNS/i, out);
      const sent = await responder.waitFor((e) => e.kind === 'ndp.ra', 2000, 'ndp.ra');
      assert.equal(sent.mac, MAC_CLIENT);
      assert.equal(sent.data?.to, clientLl);
    } finally {
      await capture.stop();
      await lab.server.stop(responder.child);
    }
    const dump = execFileSync('tcpdump', ['-r', capture.pcapFile, '-n', '-vv'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const ras = dump.split('\n').filter((l) => /router advertisement/.test(l));
    assert.equal(ras.length, 1, dump);
    assert.match(ras[0]!, new RegExp(`hlim 255.*${serverLl} > ${clientLl}: \\[icmp6 sum ok\\]`), 'unicast to the client, hop limit 255, checksum by the kernel');
  });

  test('no advertisement from us once another router has advertised on the link', async () => {
    const responder = await startResponder();
    try {
      execFileSync('ip', ['netns', 'exec', router.name, process.execPath, path.join(here, 'lab-router.js'), '--device', 'eth0', '--lifetime', '1800', '--prefix', '2001:db8:1::'], { stdio: 'ignore' });
      const heard = await responder.waitFor((e) => e.kind === 'ndp.router', 3000, 'ndp.router');
      assert.match(heard.msg, /fe80::5054:ff:febf:601/);
      responder.ipxeSeen(MAC_CLIENT, lab.serverIf);
      const out = rdisc6(client, 2500);
      assert.doesNotMatch(out, new RegExp(`from ${serverLl}`), out);
      const silent = await responder.waitFor((e) => e.kind === 'ndp.silent' && e.mac === MAC_CLIENT, 3000, 'ndp.silent');
      assert.match(silent.msg, /IPv6 router fe80::5054:ff:febf:601 advertised/);
      assert.equal(responder.events.filter((e) => e.kind === 'ndp.ra').length, 0);
    } finally {
      await lab.server.stop(responder.child);
    }
  });
});
