/**
 * Everything the boot servers generate per machine, from the fleet store: the iPXE script at
 * `/boot.ipxe`, PXELINUX configs over TFTP (`pxelinux.cfg/01-<mac>`, `default`), preseed files and
 * cloud-init seeds over HTTP, and the installer's "installed" callback (boot once). The policy is in
 * `fleet/` (which profile) and `boot/render-*` (what it says); this file looks things up, calls
 * them, and reports each step as an event.
 */
import type { BootEvent, EventSink } from '../events/boot-event.js';
import { effectiveProfile, INSTALL_TOKEN_PATTERN, type EffectiveProfile } from '../fleet/boot-once.js';
import type { FleetProfile } from '../fleet/group.js';
import type { Machine, Sighting } from '../fleet/machine.js';
import { resolveProfile, type ProfileResolution } from '../fleet/resolve-profile.js';
import { renderBootScript } from '../boot/render-boot-script.js';
import { renderCloudInit } from '../boot/render-cloud-init.js';
import { ipxeFailureScript, type RenderContext } from '../boot/render-fields.js';
import { renderPreseed } from '../boot/render-preseed.js';
import { renderPxelinuxConfig } from '../boot/render-pxelinux.js';
import { httpBaseOf, templateVars } from '../boot/templates/template-vars.js';
import type { MachineFileRequest } from '../http/install-routes.js';
import { normalizeMac } from '../http/request-path.js';
import { RepeatFilter } from '../http/repeat-filter.js';
import type { FleetStore } from '../store/fleet-store.js';
import { BootScriptCache, type BootScriptCacheOptions } from './boot-script-cache.js';

export interface BootContentOptions {
  fleet: FleetStore;
  /** `boot.defaultProfile`. */
  defaultProfile: string;
  /** `http.port` and `tftp.port`, for the URLs scripts and menus name. */
  httpPort: number;
  tftpPort: number;
  events: EventSink;
  /** Fetching a boot script is also a sighting (proxy-mode machines are recorded this way). */
  noteSighting?: (s: Sighting) => void;
  /** MAC of a client address, from DHCP (for `pxelinux.cfg/default`). */
  macFor?: (clientIp: string) => string | undefined;
  now?: () => number;
  /**
   * The fleet store's write generation (`CountingFleetStore.generation`). Given, rendered
   * `/boot.ipxe` scripts are kept until it moves (boot-script-cache.ts); absent, every
   * request renders anew.
   */
  fleetGeneration?: () => number;
  scriptCache?: BootScriptCacheOptions;
}

export interface GeneratedResponse {
  status: number;
  contentType: string;
  body: string;
}

const IPXE = 'text/plain; charset=utf-8';
const TEXT = 'text/plain; charset=utf-8';
const YAML = 'text/yaml; charset=utf-8';

/** What one machine boots now, looked up once per request. */
interface Lookup {
  mac: string;
  machine: Machine | null;
  resolution: ProfileResolution;
  effective: EffectiveProfile;
  token: string | null;
}

/**
 * Whether a request for `mac`'s script or installer files may get its install token: not when
 * the HTTP server knows the sender to be another machine (`eventMac` is then that machine's),
 * since the token is what lets a caller mark `mac` installed. A sender nothing is known of
 * (`eventMac` null: routed, or no check) still gets it — that is the machine in the common
 * routed case, and refusing it would break installs.
 */
function mayHoldToken(mac: string, eventMac: string | null): boolean {
  return eventMac === null || eventMac === mac;
}

export class BootContent {
  private readonly now: () => number;
  private readonly scripts: BootScriptCache;
  /** One `fleet.install` warning a minute per machine and sender an install token is withheld from. */
  private readonly withheld = new RepeatFilter();

  constructor(private readonly opts: BootContentOptions) {
    this.now = opts.now ?? Date.now;
    this.scripts = new BootScriptCache({ now: this.now, ...opts.scriptCache });
  }

  /**
   * `GET /boot.ipxe?mac=…`: the script for the machine's profile (its installer while it installs).
   * A script rendered before is answered from the cache while the fleet is unchanged; its
   * `http.script` event is emitted again, its warnings (`fleet.install`) only when rendered.
   * A script from the cache comes back as is, not wrapped in a promise, so the HTTP server
   * answers in the same turn (a fleet asking again is the common case).
   * `eventMac` (default `mac`): whose timeline the events go to, null for no machine's. Another
   * host asking for this machine's script (the HTTP server's `checkMacClaim`) gets it, but is
   * no sighting of the machine and writes nothing into its timeline.
   */
  bootScript(mac: string | null, clientIp: string, serverAddress: string, eventMac: string | null = mac): GeneratedResponse | Promise<GeneratedResponse> {
    if (!mac) return { status: 200, contentType: IPXE, body: ipxeFailureScript('unknown', 'no MAC in the request (expected /boot.ipxe?mac=...)') };
    const own = eventMac === mac;
    if (own) this.opts.noteSighting?.({ mac, at: this.now(), ip: clientIp, firmware: 'ipxe' });
    // Both read before the fleet is: a write that lands while we read makes this render stale.
    const generation = this.opts.fleetGeneration?.();
    const defaultProfile = this.opts.defaultProfile;
    const key = generation === undefined ? null : BootScriptCache.key(mac, clientIp, serverAddress);
    if (key !== null && generation !== undefined) {
      const hit = this.scripts.get(key, generation, defaultProfile);
      if (hit && (hit.carriesToken === false || mayHoldToken(mac, eventMac))) {
        this.opts.events.emit(own ? hit.event : { ...hit.event, mac: eventMac ?? undefined });
        return hit.response;
      }
    }
    return this.renderScript(mac, clientIp, serverAddress, key, generation, defaultProfile, eventMac);
  }

  private async renderScript(mac: string, clientIp: string, serverAddress: string, key: string | null, generation: number | undefined, defaultProfile: string, eventMac: string | null): Promise<GeneratedResponse> {
    const own = eventMac === mac;
    // Warnings about the machine's install state are for its own requests only.
    const found = await this.lookup(mac, clientIp, defaultProfile, own);
    if (typeof found === 'string') return this.scriptFailure(mac, found, eventMac);
    const withToken = this.tokenFor(found, eventMac, clientIp);
    const ctx = this.context(found, clientIp, serverAddress, withToken);
    const r = renderBootScript(found.effective.profile, ctx);
    if (!r.ok) return this.scriptFailure(mac, r.error, eventMac);
    const { effective, resolution } = found;
    const event: BootEvent = {
      kind: 'http.script',
      level: 'info',
      mac,
      msg: `boot script for profile ${effective.profile.name} (${effective.installing ? effective.why : resolution.why})`,
      data: { profile: effective.profile.name, kind: effective.profile.kind ?? 'linux', by: resolution.by, group: resolution.group, installing: effective.installing },
    };
    this.opts.events.emit(own ? event : { ...event, mac: eventMac ?? undefined });
    const response = { status: 200, contentType: IPXE, body: r.text };
    const carriesToken = withToken && found.token !== null;
    // A script without the token that the machine would have got is not kept: should this
    // address become the machine's, it must not be answered with it.
    if (key !== null && generation !== undefined && (withToken || found.token === null)) this.scripts.set(key, { response, event, carriesToken }, generation, defaultProfile);
    return response;
  }

  /**
   * A PXELINUX config name asked over TFTP: `pxelinux.cfg/01-<mac>` for that machine, `pxelinux.cfg/default`
   * for the machine at `clientIp`. Null (TFTP "file not found", and PXELINUX tries its next name) for
   * any other name, an unknown client, or a machine whose profile is not a PXELINUX menu.
   */
  async pxelinuxConfig(name: string, clientIp: string, serverAddress: string): Promise<Buffer | null> {
    const m = /^pxelinux\.cfg\/(?:01-((?:[0-9a-f]{2}-){5}[0-9a-f]{2})|(default))$/i.exec(name);
    if (!m) return null;
    const requester = this.opts.macFor?.(clientIp) ?? null;
    const mac = m[1] ? normalizeMac(m[1]) : requester;
    if (!mac) return null;
    // 01-<mac> names any machine: as over HTTP, the events and the token follow who asks.
    const eventMac = requester ?? mac;
    const as = eventMac;
    const found = await this.lookup(mac, clientIp, this.opts.defaultProfile, eventMac === mac);
    if (typeof found === 'string') {
      this.opts.events.emit({ kind: 'tftp.pxelinux', level: 'warn', mac: as, msg: found });
      return null;
    }
    const profile = found.effective.profile;
    if (profile.kind !== 'pxelinux') return null;
    const r = renderPxelinuxConfig(profile, this.context(found, clientIp, serverAddress, this.tokenFor(found, requester, clientIp)));
    if (!r.ok) {
      this.opts.events.emit({ kind: 'tftp.pxelinux', level: 'error', mac: as, msg: r.error });
      return null;
    }
    this.opts.events.emit({ kind: 'tftp.pxelinux', level: 'info', mac: as, msg: `PXELINUX config ${name} for profile ${profile.name}`, data: { file: name, profile: profile.name, ...(as !== mac ? { machine: mac } : {}) } });
    return Buffer.from(r.text, 'utf8');
  }

  /**
   * The per-machine HTTP paths: installer callback, preseed, cloud-init seed. `eventMac` (default
   * the path's MAC): whose timeline the events go to, as for {@link bootScript}; a callback that
   * completes an install is the machine's own news whoever sent it (the token decided).
   */
  async machineFile(req: MachineFileRequest, clientIp: string, serverAddress: string, eventMac: string | null = req.mac): Promise<GeneratedResponse> {
    if (req.kind === 'install-done') return this.installDone(req.mac, req.token, eventMac);
    const found = await this.lookup(req.mac, clientIp, this.opts.defaultProfile, eventMac === req.mac);
    const as = eventMac ?? undefined;
    if (typeof found === 'string') return this.notServed(as, found);
    const profile = found.effective.profile;
    const ctx = this.context(found, clientIp, serverAddress, this.tokenFor(found, eventMac, clientIp));
    if (req.kind === 'preseed') {
      if (profile.kind !== 'debian-installer') return this.notServed(as, `preseed: profile ${profile.name} is not a debian-installer profile`);
      const r = renderPreseed(profile, ctx);
      return r.ok ? this.served(as, `preseed for profile ${profile.name}`, TEXT, r.text) : this.notServed(as, r.error, 500);
    }
    if (profile.kind !== 'cloud-init') return this.notServed(as, `cloud-init ${req.file}: profile ${profile.name} is not a cloud-init profile`);
    const r = renderCloudInit(profile, req.file, ctx);
    return r.ok ? this.served(as, `cloud-init ${req.file} for profile ${profile.name}`, YAML, r.text) : this.notServed(as, r.error, 500);
  }

  /** `GET|POST /install/<mac>/done?token=…`: 200 `installed`, else 403 and nothing changes. */
  private async installDone(mac: string, token: string | null, eventMac: string | null): Promise<GeneratedResponse> {
    const refuse = (why: string): GeneratedResponse => {
      // A refused callback changed nothing: it is the sender's event, not the machine's.
      this.opts.events.emit({ kind: 'fleet.install-callback', level: 'warn', mac: eventMac ?? undefined, msg: `install callback refused for ${mac}: ${why}`, data: { machine: mac } });
      return { status: 403, contentType: TEXT, body: 'forbidden\n' };
    };
    if (token === null || !INSTALL_TOKEN_PATTERN.test(token)) return refuse('no token, or not one bootfleet gives out');
    const r = await this.opts.fleet.completeInstall(mac, token, this.now());
    if (!r.ok) return refuse(r.reason === 'wrong-token' ? 'wrong token' : r.reason === 'not-installing' ? 'the machine is not installing' : 'unknown machine');
    this.opts.events.emit({ kind: 'fleet.installed', level: 'info', mac, msg: 'installer called back: installed; the next boot gets the normal profile' });
    return { status: 200, contentType: TEXT, body: 'installed\n' };
  }

  private async lookup(mac: string, clientIp: string, defaultProfile = this.opts.defaultProfile, warn = true): Promise<Lookup | string> {
    const { fleet } = this.opts;
    const [machine, groups] = await Promise.all([fleet.getMachine(mac), fleet.listGroups()]);
    const resolution = resolveProfile(machine, { mac, ip: clientIp }, groups, { defaultProfile });
    const normal = await fleet.getProfile(resolution.profile);
    if (!normal) return `profile ${resolution.profile} does not exist`;
    const installName = machine?.state === 'installing' ? normal.install : undefined;
    const installer: FleetProfile | null = installName ? await fleet.getProfile(installName) : null;
    const effective = effectiveProfile(machine, normal, (n) => (n === installer?.name ? installer : null));
    if (effective.warning && warn) this.opts.events.emit({ kind: 'fleet.install', level: 'warn', mac, msg: effective.warning });
    const token = effective.installing ? await fleet.installToken(mac) : null;
    if (effective.installing && token === null && warn) this.opts.events.emit({ kind: 'fleet.install', level: 'warn', mac, msg: 'installing, but no install token is stored: the installer cannot call back (mark it for install again)' });
    return { mac, machine, resolution, effective, token };
  }

  /**
   * Whether this render may carry the machine's install token ({@link mayHoldToken}). When it may
   * not and there is one, the machine's timeline says so (once a minute per sender): an installer
   * fetching its files through another NIC of the same machine is refused the callback too, and
   * the operator must see why that install never reports done.
   */
  private tokenFor(found: Lookup, requester: string | null, clientIp: string): boolean {
    if (mayHoldToken(found.mac, requester)) return true;
    if (found.token !== null && this.withheld.first(`${found.mac} ${clientIp}`)) {
      this.opts.events.emit({
        kind: 'fleet.install',
        level: 'warn',
        mac: found.mac,
        msg: `install token withheld from ${clientIp}: that address is known as ${requester ?? '?'}, not this machine (another host asking, or this machine's installer on another NIC)`,
        data: { clientIp, knownAs: requester ?? undefined },
      });
    }
    return false;
  }

  /** `withToken` false: rendered without the install token (`installToken` empty in templates). */
  private context(found: Lookup, clientIp: string, serverAddress: string, withToken = true): RenderContext {
    const { mac, machine, effective, token } = found;
    const { httpPort, tftpPort } = this.opts;
    return {
      profileName: effective.profile.name,
      mac,
      httpBase: httpBaseOf(serverAddress, httpPort),
      tftpBase: tftpPort === 69 ? `tftp://${serverAddress}` : `tftp://${serverAddress}:${tftpPort}`,
      vars: templateVars({
        mac,
        hostname: machine?.hostname ?? null,
        ip: clientIp || machine?.lastIp || null,
        uuid: machine?.uuid ?? null,
        arch: machine?.arch ?? null,
        firmware: machine?.firmware ?? null,
        labels: machine?.labels ?? {},
        profile: effective.profile.name,
        serverAddress,
        httpPort,
        installToken: withToken ? token : null,
      }),
    };
  }

  private scriptFailure(mac: string, why: string, eventMac: string | null = mac): GeneratedResponse {
    this.opts.events.emit({ kind: 'http.script', level: 'error', mac: eventMac ?? undefined, msg: why });
    return { status: 200, contentType: IPXE, body: ipxeFailureScript(mac, why) };
  }

  private served(mac: string | undefined, what: string, contentType: string, body: string): GeneratedResponse {
    this.opts.events.emit({ kind: 'http.machine-file', level: 'info', mac, msg: what });
    return { status: 200, contentType, body };
  }

  /** 404 (or 500 for a template error) with a short text; the log gets the reason. */
  private notServed(mac: string | undefined, why: string, status = 404): GeneratedResponse {
    this.opts.events.emit({ kind: 'http.machine-file', level: status >= 500 ? 'error' : 'warn', mac, msg: why });
    return { status, contentType: TEXT, body: status >= 500 ? 'internal error\n' : 'not found\n' };
  }
}
