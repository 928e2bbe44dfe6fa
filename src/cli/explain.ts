import { decide } from '../boot/decide.js';
import { syntheticFacts } from '../boot/synthetic-facts.js';
import { formatProblems, loadConfigFile } from '../config/load.js';
import { configSchema, type BootfleetConfig } from '../config/schema.js';
import { explainFleet, fleetLines } from './explain-fleet.js';

export interface ExplainOptions {
  mac: string;
  arch?: string;
  ipxe: boolean;
  gpxe: boolean;
  os: boolean;
  mode: string;
  server?: string;
  config?: string;
  json: boolean;
  /** The machine's address, for group `subnet` selectors. */
  ip?: string;
  /** Ignore the server's inventory database; use the config alone. */
  configOnly?: boolean;
}

export async function explainCommand(opts: ExplainOptions): Promise<number> {
  if (!/^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$/i.test(opts.mac)) {
    process.stderr.write(`--mac: "${opts.mac}" is not a MAC address like 52:54:00:12:34:56\n`);
    return 2;
  }
  const arch = opts.arch === undefined ? null : Number(opts.arch);
  if (arch !== null && (!Number.isInteger(arch) || arch < 0 || arch > 65535)) {
    process.stderr.write(`--arch: "${opts.arch}" is not a client arch number (0-65535)\n`);
    return 2;
  }
  if (opts.mode !== 'full' && opts.mode !== 'proxy') {
    process.stderr.write(`--mode: "${opts.mode}" must be full or proxy\n`);
    return 2;
  }
  if (opts.ip !== undefined && !/^(\d{1,3}\.){3}\d{1,3}$/.test(opts.ip)) {
    process.stderr.write(`--ip: "${opts.ip}" is not an IPv4 address\n`);
    return 2;
  }
  let config: BootfleetConfig;
  if (opts.config) {
    const loaded = loadConfigFile(opts.config);
    if (!loaded.ok) {
      process.stderr.write(formatProblems(loaded.errors) + '\n');
      return 1;
    }
    config = loaded.config;
  } else {
    config = configSchema.parse({ interfaces: [{ name: 'eth0' }] });
  }
  const facts = syntheticFacts({ mac: opts.mac, arch, ipxe: opts.ipxe || opts.gpxe, gpxe: opts.gpxe, os: opts.os });
  const serverAddress = opts.server ?? config.interfaces.find((i) => i.serverAddress)?.serverAddress ?? '198.18.0.2';
  const plan = decide(facts, { mode: opts.mode, serverAddress, httpPort: config.http.port, config });
  // Without a config there is no server, so no inventory to read.
  const fleet = await explainFleet(config, { mac: facts.mac, arch: facts.arch, firmware: facts.firmware, ip: opts.ip ?? null }, opts.config !== undefined && opts.configOnly !== true);
  const profile = { name: fleet.resolution.profile, why: fleet.resolution.why, group: fleet.resolution.group };
  if (opts.json) {
    process.stdout.write(JSON.stringify({ facts, plan, profile, fleet }, null, 2) + '\n');
    return 0;
  }
  const lines = [
    `client   ${facts.mac}  firmware ${facts.firmware}  arch ${facts.arch ?? 'none'}  ${facts.ipxe ? `iPXE features ${facts.ipxe.codes.join(',')}` : ''}`.trimEnd(),
    `plan     ${plan.kind}${'file' in plan ? `  file ${plan.file} (TFTP)` : ''}${'url' in plan ? `  url ${plan.url}` : ''}`,
    `why      ${plan.reason}`,
  ];
  // The profile matters once the machine runs iPXE: now, or after the chainload.
  if (plan.kind !== 'no-boot' && plan.kind !== 'ignore') lines.push(...fleetLines(fleet));
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}
