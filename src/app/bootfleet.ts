import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { BootfleetConfig } from '../config/schema.js';
import { ApiServer } from '../api/api-server.js';
import { loadApiTokens } from '../api/api-tokens.js';
import { EventRing } from '../api/event-ring.js';
import { MachineTimelines } from '../events/machine-timelines.js';
import { BootfleetMetrics } from '../metrics/bootfleet-metrics.js';
import { declaredFromConfig } from '../fleet/declared-fleet.js';
import type { DeclaredSyncReport } from '../store/fleet-store.js';
import { sightingFromEvent } from '../fleet/sighting-from-event.js';
import type { FleetStore } from '../store/fleet-store.js';
import { FleetSightingBatcher } from '../store/fleet-sighting-batcher.js';
import { ConflictDetector } from '../dhcp/conflict-detector.js';
import { checkForOtherDhcpServers, interfaceMac } from '../dhcp/rogue-probe.js';
import { DhcpServer } from '../dhcp/server.js';
import { EventLog } from '../events/event-log.js';
import { timed } from '../events/event-time.js';
import { HttpBootServer } from '../http/server.js';
import type { LeaseStore } from '../store/lease-store.js';
import { openStores, redactUrl } from '../store/store-factory.js';
import type { ReplyPolicy } from '../dhcp/reply-policy.js';
import { TftpServer, type TftpServerOptions } from '../tftp/server.js';
import { interfaceIpv4, type InterfaceAddress } from '../transport/interfaces.js';
import { RaResponder } from '../ndp/ra-responder.js';
import { BootContent } from './boot-content.js';
import { CountingFleetStore } from './counting-fleet-store.js';
import { MacByIp } from './mac-by-ip.js';
import { MacClaimCheck, rememberBoundLeases } from './mac-claim-check.js';

export interface BootfleetOptions {
  /** `bootfleet serve --allow-other-dhcp`: full mode starts beside other DHCP servers on every interface. */
  allowOtherDhcp?: boolean;
  /** The boot policy both DHCP responders ask; default bootfleet's own. `bootfleet dnsmasq` passes dnsmasq's. */
  policy?: ReplyPolicy;
  /** Run the HTTP server on the served interfaces (default true). */
  serveHttp?: boolean;
  /**
   * TFTP settings the config has no key for (dnsmasq's tftp-* directives). `extraDirs` replaces
   * the config's iPXE and PXELINUX directories; `virtualFiles: false` serves files only (no
   * PXELINUX configs made from profiles).
   */
  tftp?: Pick<TftpServerOptions, 'lowercaseNames' | 'transferPorts' | 'secure' | 'maxTransfers' | 'extraDirs'> & {
    virtualFiles?: boolean;
    /** The TFTP root for a served address, or null for no TFTP there (dnsmasq's per-interface tftp-root / enable-tftp list); default config.tftp.root everywhere. */
    rootFor?: (address: string) => string | null;
  };
  /** Runs once the lease store is open, before any DHCP socket (dnsmasq's lease file is imported here). */
  beforeDhcp?: (leases: LeaseStore) => Promise<void>;
  /** Full-mode interfaces also listen on port 4011 (boot server requests after a PXE menu). */
  pxePortOnFull?: boolean;
}

export interface ServedInterface extends InterfaceAddress {
  mode: 'full' | 'proxy' | 'off';
  /** What clients on this segment are told to fetch from. */
  serverAddress: string;
}

/**
 * The whole server: DHCP on the configured interfaces, and TFTP + HTTP on each served
 * interface's address. It owns start-up order (the store before DHCP, so no reply leaves
 * before leases are readable) and shutdown.
 */
export class Bootfleet {
  readonly events: EventLog;
  readonly interfaces: ServedInterface[];
  private readonly macs = new MacByIp();
  private store: LeaseStore | null = null;
  private fleet: FleetStore | null = null;
  private sightings: FleetSightingBatcher | null = null;
  private api: ApiServer | null = null;
  /** Recent events for the API (`GET /api/v1/events`). */
  private readonly recent = new EventRing(2000);
  /** Each machine's own recent events: its live timeline and what `bootfleet doctor` reads. */
  readonly timelines = new MachineTimelines();
  private metrics: BootfleetMetrics | null = null;
  private dhcp: DhcpServer | null = null;
  private conflicts: ConflictDetector | null = null;
  private ra: RaResponder | null = null;
  private readonly tftp: TftpServer[] = [];
  private readonly http: HttpBootServer[] = [];
  private readonly write: (line: string) => void;
  /**
   * Settings a reload may change while running (`applyLiveConfig`): boot content and the API
   * read them through getters, so the next request sees the new value.
   */
  private readonly live: { defaultProfile: string };
  /** The config whose fleet the store holds now: the start-up one, then each reload's. */
  private applied: BootfleetConfig;

  constructor(
    readonly config: BootfleetConfig,
    write: (line: string) => void = (l) => process.stdout.write(l + '\n'),
    private readonly options: BootfleetOptions = {},
  ) {
    this.write = write;
    this.live = { defaultProfile: config.boot.defaultProfile };
    this.applied = config;
    this.events = new EventLog({ level: config.log.level, format: config.log.format, write });
    this.interfaces = config.interfaces.map((i) => {
      const found = interfaceIpv4(i.name);
      return { ...found, mode: i.mode, serverAddress: i.serverAddress ?? found.address };
    });
    this.events.subscribe((e, ms) => {
      if (!e.mac) return;
      if ((e.kind === 'dhcp.ack' || e.kind === 'dhcp.offer') && typeof e.data?.ip === 'string') {
        this.macs.remember(e.data.ip, e.mac);
      } else if (e.kind === 'dhcp.proxy-ack' && typeof e.data?.clientIp === 'string') {
        // In proxy mode the LAN's server gave the address; EDK2's port-4011 request carries it in ciaddr.
        this.macs.remember(e.data.clientIp, e.mac);
      }
      this.recent.pushAt(e, ms);
      this.timelines.pushAt(e, ms);
      // Machines are recorded from the event stream, batched: DHCP never waits for the fleet.
      const seen = this.sightings ? sightingFromEvent(e, ms) : null;
      if (seen) this.sightings?.note(seen);
    });
  }

  /** The address each server binds: interfaces in mode `off` get no DHCP, TFTP or HTTP. */
  private servedAddresses(): string[] {
    return [...new Set(this.interfaces.filter((i) => i.mode !== 'off').map((i) => i.address))];
  }

  async start(): Promise<void> {
    const { config } = this;
    // Its start-up listening for IPv6 routers runs during the DHCP probe; it opens no DHCP
    // socket, and a refusal stops it (serve.ts calls stop()).
    this.startRaResponder();
    // Before anything is opened, so that a refusal leaves nothing behind and no DHCP socket of
    // ours can hear (or answer) the probe.
    await this.probeForOtherDhcp();
    mkdirSync(config.dataDir, { recursive: true });
    // `store:` picks SQLite in dataDir or a PostgreSQL shared with other bootfleet servers.
    const stores = await openStores(config, {
      onPgError: (err) => this.events.emit({ kind: 'store.error', level: 'warn', msg: `PostgreSQL connection lost (reconnects on next use): ${err.message}` }),
    });
    this.store = stores.leases;
    // Every write in this process goes through one counter, so rendered boot scripts can be kept until the fleet changes.
    const fleet = new CountingFleetStore(stores.fleet, (mac) => this.sightings?.forget(mac));
    this.fleet = fleet;
    // The config wins for the objects it names; then the store is what every boot reads.
    const sync = await this.applyLiveConfig(config);
    this.events.emit({
      kind: 'fleet.sync',
      level: 'info',
      msg: `config applied to the fleet: profiles +${sync.profiles.put} -${sync.profiles.deleted}, groups +${sync.groups.put} -${sync.groups.deleted}, machines +${sync.machines.put} -${sync.machines.deleted}`,
    });
    for (const w of sync.warnings) this.events.emit({ kind: 'fleet.sync', level: 'warn', msg: w });
    this.sightings = new FleetSightingBatcher({ store: fleet, events: this.events });
    // Our own replies (and the store's bound leases) first; then the kernel's neighbour table
    // (proxy mode, static scripts without ?mac=). The same sources judge a MAC a URL names.
    rememberBoundLeases(this.macs, await this.store.list(), Date.now());
    const claims = new MacClaimCheck({ macs: this.macs });
    const macFor = (ip: string): string | undefined => claims.macFor(ip);
    // URLs in scripts and menus name the address clients were told to use on that segment.
    const serverAddressFor = (bound: string): string => this.interfaces.find((i) => i.address === bound && i.mode !== 'off')?.serverAddress ?? bound;
    const live = this.live;
    const content = new BootContent({
      fleet,
      get defaultProfile() {
        return live.defaultProfile;
      },
      httpPort: config.http.port,
      tftpPort: config.tftp.port,
      events: this.events,
      macFor,
      noteSighting: (s) => this.sightings?.note(s),
      fleetGeneration: () => fleet.generation,
    });

    const { virtualFiles, rootFor, ...tftpExtras } = this.options.tftp ?? {};
    for (const address of this.servedAddresses()) {
      const tftpRoot = rootFor === undefined ? config.tftp.root : rootFor(address);
      if (config.tftp.enabled && tftpRoot !== null) {
        const tftp = new TftpServer({
          address,
          port: config.tftp.port,
          root: tftpRoot,
          // PXELINUX (profiles of kind pxelinux) asks for pxelinux.0, then ldlinux.c32 and other modules.
          extraDirs: [config.tftp.ipxeDir, config.tftp.pxelinuxDir, config.tftp.syslinuxModulesDir],
          ...(virtualFiles === false ? {} : { virtualFile: (name: string, clientIp: string) => content.pxelinuxConfig(name, clientIp, serverAddressFor(address)) }),
          maxBlksize: config.tftp.maxBlksize,
          maxWindowsize: config.tftp.maxWindowsize,
          timeoutSec: config.tftp.timeout,
          retries: config.tftp.retries,
          events: this.events,
          macFor,
          ...tftpExtras,
        });
        await tftp.start();
        this.tftp.push(tftp);
      }
      if (this.options.serveHttp === false) continue;
      const http = new HttpBootServer({
        address,
        port: config.http.port,
        root: config.http.root,
        extraDirs: [config.tftp.ipxeDir],
        events: this.events,
        macFor,
        checkMacClaim: (claimed, ip) => claims.check(claimed, ip),
        renderBootScript: (req) => content.bootScript(req.mac ?? req.eventMac ?? null, req.clientIp, serverAddressFor(address), req.eventMac ?? null),
        machineFile: (req, clientIp, eventMac) => content.machineFile(req, clientIp, serverAddressFor(address), eventMac),
      });
      await http.start();
      this.http.push(http);
    }

    if (config.api.enabled) {
      const metrics = new BootfleetMetrics({
        eventCounts: () => this.events.counts,
        dhcp: () => this.dhcp?.stats ?? null,
        tftp: () => this.tftp.map((t) => t.stats),
        leaseCounts: async (now) => (this.store ? this.store.countByState(now) : null),
        machinesTracked: () => this.timelines.size,
      });
      this.events.subscribe((e) => metrics.note(e));
      this.metrics = metrics;
      this.api = new ApiServer({
        address: config.api.address,
        port: config.api.port,
        tokens: loadApiTokens(config.api),
        log: this.events,
        fleet,
        leases: this.store,
        events: this.recent,
        timelines: this.timelines,
        metrics,
        // Live streams are few, and serialise what they get: they get the time as text.
        subscribe: (listener) => this.events.subscribe((e, ms) => listener(timed(e, ms))),
        get defaultProfile() {
          return live.defaultProfile;
        },
      });
      await this.api.start();
    }

    await this.options.beforeDhcp?.(this.store);
    this.conflicts = this.startConflictDetection(this.store);
    this.dhcp = new DhcpServer({
      config,
      store: this.store,
      events: this.events,
      interfaces: this.interfaces.map(({ name, mode, address, netmask, serverAddress }) => ({ name, mode, address, netmask, serverAddress })),
      ...(this.options.policy !== undefined ? { policy: this.options.policy } : {}),
      ...(this.options.pxePortOnFull === true ? { pxePortOnFull: true } : {}),
      ...(this.conflicts !== null ? { conflictGuard: this.conflicts } : {}),
    });
    await this.dhcp.start();
  }

  /** The config last applied: the start-up config, or the last successful reload's. */
  get appliedConfig(): BootfleetConfig {
    return this.applied;
  }

  /**
   * Applies what may change while running: the declared fleet (profiles, groups, machines,
   * `source: config`; API-made objects untouched) and `boot.defaultProfile`. Everything else
   * in `next` is ignored (it needs a restart: see config-reload.ts).
   */
  async applyLiveConfig(next: BootfleetConfig): Promise<DeclaredSyncReport> {
    if (!this.fleet) throw new Error('bootfleet is not started');
    const sync = await this.fleet.applyDeclared(declaredFromConfig(next), Date.now());
    this.live.defaultProfile = next.boot.defaultProfile;
    this.applied = next;
    return sync;
  }

  /**
   * Issue 3 item 5: one DISCOVER from each full/proxy interface; full mode beside another DHCP
   * server throws `OtherDhcpServerError` unless allowed (config or `--allow-other-dhcp`).
   */
  private async probeForOtherDhcp(): Promise<void> {
    const probed = this.interfaces.flatMap((i) => {
      if (i.mode === 'off') return [];
      const allowed = this.options.allowOtherDhcp === true || this.config.interfaces.find((c) => c.name === i.name)?.allowOtherDhcp === true;
      return [{ name: i.name, mode: i.mode, allowOtherDhcp: allowed }];
    });
    await checkForOtherDhcpServers(probed, { listenSeconds: this.config.dhcp.probeSeconds, events: this.events, say: (line) => this.write(`bootfleet: ${line}`) });
  }

  /**
   * Issue 6 item 8: ARP probes of pool addresses on the full-mode interfaces' own subnets,
   * before and while they are offered (`dhcp.conflictDetection`, default on). Started before
   * DHCP so the first addresses are checked before the first client asks.
   */
  private startConflictDetection(store: LeaseStore): ConflictDetector | null {
    if (!this.config.dhcp.conflictDetection) return null;
    const full = this.interfaces.filter((i) => i.mode === 'full');
    const guarded = full.flatMap((i) => {
      const mac = interfaceMac(i.name);
      return mac === null ? [] : [{ name: i.name, address: i.address, netmask: i.netmask, mac }];
    });
    if (guarded.length === 0) return null;
    const detector = new ConflictDetector({ config: this.config, store, events: this.events, interfaces: guarded, localAddresses: full.map((i) => i.address) });
    detector.start();
    return detector;
  }

  /**
   * iPXE's IPv6 wait (docs/adr/0005-ipv6-ra.md): on served interfaces with `ipv6RaForIpxe: auto`.
   * Started before DHCP, whose events tell it which clients are iPXE, and before the DHCP
   * probe, so its start-up listening for other routers is over by the time clients solicit.
   */
  private startRaResponder(): void {
    const names = this.config.interfaces.filter((i) => i.mode !== 'off' && i.ipv6RaForIpxe === 'auto').map((i) => i.name);
    if (names.length === 0) return;
    const ra = new RaResponder({ interfaces: names, events: this.events });
    this.events.subscribe((e) => ra.noteEvent(e));
    ra.start();
    this.ra = ra;
  }

  /** Summary lines `bootfleet serve` prints before answering anything. */
  describe(): string[] {
    const lines = this.interfaces.map(
      (i) => `interface ${i.name} ${i.address}/${i.netmask}: ${i.mode === 'off' ? 'not served' : `${i.mode} DHCP, boot server ${i.serverAddress}`}`,
    );
    const served = this.servedAddresses();
    const rootFor = this.options.tftp?.rootFor;
    if (rootFor === undefined) {
      lines.push(`tftp: ${this.config.tftp.enabled ? `${served.join(', ')} port ${this.config.tftp.port}, root ${this.config.tftp.root} (+ ${this.config.tftp.ipxeDir})` : 'off'}`);
    } else {
      const roots = served.flatMap((a) => (rootFor(a) === null ? [] : [`${a} root ${rootFor(a)}`]));
      lines.push(`tftp: ${this.config.tftp.enabled && roots.length > 0 ? `port ${this.config.tftp.port}: ${roots.join(', ')}` : 'off'}`);
    }
    lines.push(`http: ${this.options.serveHttp === false ? 'off' : `${served.join(', ')} port ${this.config.http.port}, root ${this.config.http.root}`}`);
    if (this.options.policy !== undefined) lines.push(`boot policy: ${this.options.policy.name}`);
    const store = this.config.store;
    lines.push(`leases and fleet: ${store !== undefined && store !== 'sqlite' ? `PostgreSQL ${redactUrl(store)}` : path.join(this.config.dataDir, 'bootfleet.db')}`);
    const api = this.config.api;
    lines.push(`api: ${api.enabled ? `http://${api.address}:${api.port}/api/v1` : 'off'}`);
    const ra = this.config.interfaces.filter((i) => i.mode !== 'off' && i.ipv6RaForIpxe === 'auto').map((i) => i.name);
    const full = this.interfaces.filter((i) => i.mode === 'full').map((i) => i.name);
    if (full.length > 0) {
      lines.push(`dhcp conflict detection: ${this.config.dhcp.conflictDetection ? `${full.join(', ')} (ARP probes of pool addresses on each interface's own subnet; never delays an offer)` : 'off'}`);
    }
    lines.push(`ipv6 RA for iPXE: ${ra.length ? `${ra.join(', ')} (unicast, lifetime 0, no prefix; silent while an IPv6 router is heard)` : 'off'}`);
    return lines;
  }

  async stop(): Promise<void> {
    await this.dhcp?.stop();
    await this.conflicts?.stop();
    await this.ra?.stop();
    await Promise.all([...this.tftp.map((t) => t.stop()), ...this.http.map((h) => h.stop()), this.api?.stop()]);
    this.metrics?.stop();
    await this.sightings?.stop();
    await this.fleet?.close();
    await this.store?.close();
  }
}

