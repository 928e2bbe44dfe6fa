import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { BootfleetConfig } from '../config/schema.js';
import { profileFor } from '../boot/profile-for.js';
import { renderIpxeFailure, renderIpxeScript } from '../boot/render-ipxe.js';
import { DhcpServer } from '../dhcp/server.js';
import { EventLog } from '../events/event-log.js';
import { HttpBootServer } from '../http/server.js';
import { SqliteLeaseStore } from '../store/sqlite-lease-store.js';
import { TftpServer } from '../tftp/server.js';
import { interfaceIpv4, type InterfaceAddress } from '../transport/interfaces.js';
import { MacByIp } from './mac-by-ip.js';

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
  private store: SqliteLeaseStore | null = null;
  private dhcp: DhcpServer | null = null;
  private readonly tftp: TftpServer[] = [];
  private readonly http: HttpBootServer[] = [];

  constructor(
    readonly config: BootfleetConfig,
    write: (line: string) => void = (l) => process.stdout.write(l + '\n'),
  ) {
    this.events = new EventLog({ level: config.log.level, format: config.log.format, write });
    this.interfaces = config.interfaces.map((i) => {
      const found = interfaceIpv4(i.name);
      return { ...found, mode: i.mode, serverAddress: i.serverAddress ?? found.address };
    });
    this.events.subscribe((e) => {
      if (!e.mac) return;
      if ((e.kind === 'dhcp.ack' || e.kind === 'dhcp.offer') && typeof e.data?.ip === 'string') {
        this.macs.remember(e.data.ip, e.mac);
      } else if (e.kind === 'dhcp.proxy-ack' && typeof e.data?.clientIp === 'string') {
        // In proxy mode the LAN's server gave the address; EDK2's port-4011 request carries it in ciaddr.
        this.macs.remember(e.data.clientIp, e.mac);
      }
    });
  }

  /** The address each server binds: interfaces in mode `off` get no DHCP, TFTP or HTTP. */
  private servedAddresses(): string[] {
    return [...new Set(this.interfaces.filter((i) => i.mode !== 'off').map((i) => i.address))];
  }

  async start(): Promise<void> {
    const { config } = this;
    mkdirSync(config.dataDir, { recursive: true });
    this.store = await SqliteLeaseStore.open(path.join(config.dataDir, 'bootfleet.db'));
    const macFor = (ip: string): string | undefined => this.macs.lookup(ip);

    for (const address of this.servedAddresses()) {
      if (config.tftp.enabled) {
        const tftp = new TftpServer({
          address,
          port: config.tftp.port,
          root: config.tftp.root,
          extraDirs: [config.tftp.ipxeDir],
          maxBlksize: config.tftp.maxBlksize,
          maxWindowsize: config.tftp.maxWindowsize,
          timeoutSec: config.tftp.timeout,
          retries: config.tftp.retries,
          events: this.events,
          macFor,
        });
        await tftp.start();
        this.tftp.push(tftp);
      }
      const http = new HttpBootServer({
        address,
        port: config.http.port,
        root: config.http.root,
        extraDirs: [config.tftp.ipxeDir],
        events: this.events,
        macFor,
        renderBootScript: (req) => this.bootScript(req.mac ?? macFor(req.clientIp) ?? null, address),
      });
      await http.start();
      this.http.push(http);
    }

    this.dhcp = new DhcpServer({
      config,
      store: this.store,
      events: this.events,
      interfaces: this.interfaces.map(({ name, mode, address, netmask, serverAddress }) => ({ name, mode, address, netmask, serverAddress })),
    });
    await this.dhcp.start();
  }

  /** The iPXE script for one machine, from its profile. */
  private bootScript(mac: string | null, serverAddress: string): { status: number; contentType: string; body: string } {
    const contentType = 'text/plain; charset=utf-8';
    if (!mac) {
      return { status: 200, contentType, body: renderIpxeFailure('unknown', 'no MAC in the request (expected /boot.ipxe?mac=...)') };
    }
    const { name } = profileFor(mac, this.config);
    const profile = this.config.profiles[name];
    if (!profile) {
      this.events.emit({ kind: 'http.script', level: 'warn', mac, msg: `profile ${name} does not exist` });
      return { status: 200, contentType, body: renderIpxeFailure(mac, `profile ${name} does not exist`) };
    }
    const port = this.config.http.port;
    const httpBase = port === 80 ? `http://${serverAddress}` : `http://${serverAddress}:${port}`;
    const r = renderIpxeScript({ mac, profileName: name, profile, httpBase });
    if (!r.ok) {
      this.events.emit({ kind: 'http.script', level: 'error', mac, msg: r.error });
      return { status: 200, contentType, body: renderIpxeFailure(mac, r.error) };
    }
    this.events.emit({ kind: 'http.script', level: 'info', mac, msg: `boot script for profile ${name}`, data: { profile: name } });
    return { status: 200, contentType, body: r.script };
  }

  /** Summary lines `bootfleet serve` prints before answering anything. */
  describe(): string[] {
    const lines = this.interfaces.map(
      (i) => `interface ${i.name} ${i.address}/${i.netmask}: ${i.mode === 'off' ? 'not served' : `${i.mode} DHCP, boot server ${i.serverAddress}`}`,
    );
    const served = this.servedAddresses();
    lines.push(`tftp: ${this.config.tftp.enabled ? `${served.join(', ')} port ${this.config.tftp.port}, root ${this.config.tftp.root} (+ ${this.config.tftp.ipxeDir})` : 'off'}`);
    lines.push(`http: ${served.join(', ')} port ${this.config.http.port}, root ${this.config.http.root}`);
    lines.push(`leases: ${path.join(this.config.dataDir, 'bootfleet.db')}`);
    return lines;
  }

  async stop(): Promise<void> {
    await this.dhcp?.stop();
    await Promise.all([...this.tftp.map((t) => t.stop()), ...this.http.map((h) => h.stop())]);
    await this.store?.close();
  }
}

