/**
 * The variables a profile template can name, from the machine's record, the request that asks
 * for the file, and where this server is. Pure.
 */
import type { TemplateVars } from './template.js';

/** What is known about the machine and the server when a template is rendered. */
export interface TemplateFacts {
  /** Lower-case, colon-separated. */
  mac: string;
  hostname: string | null;
  ip: string | null;
  uuid: string | null;
  arch: number | null;
  firmware: string | null;
  labels: Readonly<Record<string, string>>;
  /** The profile being rendered. */
  profile: string;
  /** The address this machine reaches our TFTP and HTTP servers at. */
  serverAddress: string;
  httpPort: number;
  /** The machine's install token while it installs (boot once), else null. */
  installToken: string | null;
}

/** Every variable name, for `checkTemplate` and the docs. */
export const templateVariableNames = [
  'mac',
  'macDashes',
  'macHex',
  'hostname',
  'ip',
  'uuid',
  'arch',
  'firmware',
  'profile',
  'serverAddress',
  'httpBase',
  'preseedUrl',
  'seedUrl',
  'installDoneUrl',
] as const;

/** `http://<server>[:port]`, the base of every URL this server hands out. */
export function httpBaseOf(serverAddress: string, httpPort: number): string {
  return httpPort === 80 ? `http://${serverAddress}` : `http://${serverAddress}:${httpPort}`;
}

/** `52-54-00-12-34-56`: the form used in the per-machine URLs (no `:` to quote anywhere). */
export function macDashes(mac: string): string {
  return mac.toLowerCase().replace(/:/g, '-');
}

/** Per-machine URLs on the HTTP boot server (`http/install-routes.ts` parses them back). */
export function machineUrls(f: Pick<TemplateFacts, 'mac' | 'serverAddress' | 'httpPort' | 'installToken'>): { preseedUrl: string; seedUrl: string; installDoneUrl: string | null } {
  const base = httpBaseOf(f.serverAddress, f.httpPort);
  const m = macDashes(f.mac);
  return {
    preseedUrl: `${base}/preseed/${m}.cfg`,
    seedUrl: `${base}/cloud-init/${m}/`,
    installDoneUrl: f.installToken === null ? null : `${base}/install/${m}/done?token=${f.installToken}`,
  };
}

/**
 * The variables. `hostname` falls back to `host-<mac hex>` so an installer always has a name to
 * give the machine; every other unknown fact renders empty.
 */
export function templateVars(f: TemplateFacts): TemplateVars {
  const hex = f.mac.toLowerCase().replace(/[^0-9a-f]/g, '');
  const urls = machineUrls(f);
  const values: Record<(typeof templateVariableNames)[number], string | null> = {
    mac: f.mac,
    macDashes: macDashes(f.mac),
    macHex: hex,
    hostname: f.hostname ?? `host-${hex}`,
    ip: f.ip,
    uuid: f.uuid,
    arch: f.arch === null ? null : String(f.arch),
    firmware: f.firmware,
    profile: f.profile,
    serverAddress: f.serverAddress,
    httpBase: httpBaseOf(f.serverAddress, f.httpPort),
    preseedUrl: urls.preseedUrl,
    seedUrl: urls.seedUrl,
    installDoneUrl: urls.installDoneUrl,
  };
  return { values, labels: f.labels };
}
