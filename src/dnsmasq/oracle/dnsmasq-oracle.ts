/**
 * The real dnsmasq as a test oracle: a server namespace running dnsmasq with a given config
 * file on `bf0` (198.18.0.2/24), and a client namespace whose `eth0` is the other end of the
 * veth, where replay-client.js sends captured requests from port 68.
 *
 * The client namespace has no address of its own. dnsmasq answers non-broadcast clients by
 * unicast to the offered address at the client's MAC, so the client sets eth0's MAC to the
 * request's chaddr and treats 198.18.0.64–255 as local ("AnyIP" routes). The server's own
 * 198.18.0.2 stays outside that, so its packets are not taken for our own.
 *
 * Network safety: both namespaces are made here (src/lab/netns.ts) and destroyed by the
 * caller (`destroy()`, or `destroyAll()` in an after hook); nothing touches the host's links.
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Netns, vethPair } from '../../lab/netns.js';
import { readTextSafe, waitForOutput } from '../../lab/wait-output.js';

/** The address plan the corpus configs are written for. */
export const ORACLE_NET = {
  serverIf: 'bf0',
  serverAddress: '198.18.0.2',
  prefixLength: 24,
  clientIf: 'eth0',
  /** Local to the client namespace: where dnsmasq's unicast replies go. */
  clientLocal: ['198.18.0.64/26', '198.18.0.128/25'],
} as const;

const REPLAY_CLIENT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'replay-client.js');

interface Pending {
  resolve: (replies: Buffer[]) => void;
  reject: (e: Error) => void;
}

/** One namespace pair, reused for every config; dnsmasq is restarted per config. */
export class DnsmasqOracle {
  private dnsmasq: ChildProcess | null = null;
  private logFile = '';
  private client: ChildProcess | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private currentMac = '';
  /** Working files (logs, lease files); removed by destroy(). */
  readonly dir = mkdtempSync(path.join(tmpdir(), 'bootfleet-dnsmasq-oracle-'));

  private constructor(
    readonly server: Netns,
    readonly clientNs: Netns,
  ) {}

  /** Builds the two namespaces and starts the replay client. Requires root. */
  static async create(): Promise<DnsmasqOracle> {
    const server = Netns.create('dmq-srv');
    const clientNs = Netns.create('dmq-cl');
    vethPair(server, ORACLE_NET.serverIf, `${ORACLE_NET.serverAddress}/${ORACLE_NET.prefixLength}`, clientNs, ORACLE_NET.clientIf, null);
    for (const net of ORACLE_NET.clientLocal) clientNs.run('ip', ['route', 'add', 'local', net, 'dev', 'lo']);
    // A link route, so requests unicast to the server (EDK2's port-4011 requests) can leave.
    clientNs.run('ip', ['route', 'add', `${ORACLE_NET.serverAddress}/32`, 'dev', ORACLE_NET.clientIf]);
    const oracle = new DnsmasqOracle(server, clientNs);
    await oracle.startClient();
    return oracle;
  }

  private async startClient(): Promise<void> {
    const child = this.clientNs.spawn(process.execPath, [REPLAY_CLIENT, '--device', ORACLE_NET.clientIf], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.client = child;
    const lines = createInterface({ input: child.stdout! });
    let ready: () => void = () => {};
    const readyP = new Promise<void>((r) => (ready = r));
    lines.on('line', (line) => {
      if (line === 'ready') return ready();
      const msg = JSON.parse(line) as { id: number; replies: string[] };
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      p?.resolve(msg.replies.map((h) => Buffer.from(h, 'hex')));
    });
    child.once('exit', () => {
      for (const p of this.pending.values()) p.reject(new Error('replay client exited'));
      this.pending.clear();
    });
    await Promise.race([readyP, new Promise((_, reject) => setTimeout(() => reject(new Error('replay client not ready')), 10_000))]);
  }

  /**
   * Starts dnsmasq with `confFile` (stopping any previous one): `--no-daemon --port=0
   * --conf-file=<file>`, bound to bf0, a fresh lease file, no ping before offers (dnsmasq
   * would wait ~3 s per new address otherwise; the reply is the same).
   */
  async start(confFile: string, opts: { leases?: string } = {}): Promise<void> {
    await this.stop();
    const name = path.basename(confFile).replace(/[^A-Za-z0-9.-]/g, '_');
    this.logFile = path.join(this.dir, `${name}.log`);
    const leaseFile = path.join(this.dir, `${name}.leases`);
    rmSync(leaseFile, { force: true });
    // Leases dnsmasq starts with (its lease-file format), for tests of addresses already taken.
    if (opts.leases !== undefined) writeFileSync(leaseFile, opts.leases);
    const fd = openSync(this.logFile, 'w');
    const child = this.server.spawn(
      'dnsmasq',
      [
        '--no-daemon', '--port=0', `--conf-file=${path.resolve(confFile)}`,
        `--interface=${ORACLE_NET.serverIf}`, '--bind-interfaces', `--dhcp-leasefile=${leaseFile}`,
        '--no-ping', '--log-dhcp', '--no-hosts', '--no-resolv', '--tftp-no-fail', '--user=root', '--group=root',
        `--pid-file=${path.join(this.dir, `${name}.pid`)}`,
      ],
      { stdio: ['ignore', fd, fd] },
    );
    closeSync(fd);
    this.dnsmasq = child;
    let gone = false;
    child.once('exit', () => (gone = true));
    await waitForOutput(this.logFile, /started, version/, 10_000, () => gone, `dnsmasq with ${confFile}`);
  }

  /** dnsmasq's log so far (its --log-dhcp lines explain its choices). */
  log(): string {
    return readTextSafe(this.logFile);
  }

  async stop(): Promise<void> {
    if (this.dnsmasq !== null) await this.server.stop(this.dnsmasq);
    this.dnsmasq = null;
  }

  /**
   * Sends `packet` from the client namespace with eth0's MAC set to `mac` (broadcast from port
   * 68, or `unicast` as given); resolves with the replies.
   */
  async exchange(packet: Buffer, mac: string, waitMs: number, unicast?: { from: { address: string; port: number }; to: { address: string; port: number } }): Promise<Buffer[]> {
    if (mac !== this.currentMac) {
      this.clientNs.run('ip', ['link', 'set', ORACLE_NET.clientIf, 'address', mac]);
      this.currentMac = mac;
    }
    const id = this.nextId++;
    const done = new Promise<Buffer[]>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.client?.stdin?.write(`${JSON.stringify({ id, packet: packet.toString('hex'), waitMs, settleMs: 15, ...(unicast !== undefined ? { unicast } : {}) })}\n`);
    return done;
  }

  async destroy(): Promise<void> {
    await this.stop();
    this.client?.stdin?.end();
    if (this.client !== null) await this.clientNs.stop(this.client);
    await Promise.all([this.server.destroy(), this.clientNs.destroy()]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
