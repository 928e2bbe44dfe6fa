import { rmSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Bootfleet } from '../app/bootfleet.js';
import { reloadConfig } from '../app/config-reload.js';
import { configTemplateProblems } from '../boot/templates/config-templates.js';
import { formatProblems, loadConfigFile } from '../config/load.js';
import { OtherDhcpServerError } from '../dhcp/rogue-probe.js';
import { InterfaceLookupError } from '../transport/interfaces.js';

/** Exit status when full mode would start beside another DHCP server (scripts can tell it apart). */
export const EXIT_OTHER_DHCP_SERVER = 3;

export interface ServeOptions {
  /** `--allow-other-dhcp`: start full mode even when another DHCP server answers on its segment. */
  allowOtherDhcp?: boolean;
}

export async function serveCommand(file: string, opts: ServeOptions = {}): Promise<number> {
  const loaded = loadConfigFile(file);
  if (!loaded.ok) {
    process.stderr.write(formatProblems(loaded.errors) + '\n');
    process.stderr.write(`${file}: not started\n`);
    return 1;
  }
  const templates = configTemplateProblems(loaded.config);
  if (templates.length > 0) {
    for (const t of templates) process.stderr.write(`${file}: profiles: ${t}\n`);
    process.stderr.write(`${file}: not started\n`);
    return 1;
  }
  for (const w of loaded.warnings) process.stderr.write(`warning: ${w}\n`);
  let app: Bootfleet;
  try {
    app = new Bootfleet(loaded.config, undefined, { allowOtherDhcp: opts.allowOtherDhcp === true });
  } catch (err) {
    if (err instanceof InterfaceLookupError) {
      process.stderr.write(`${file}: interfaces: ${err.message}; not started\n`);
      return 1;
    }
    throw err;
  }
  return runBootfleet(app, [], { reload: () => reloadConfig(app, file).then(() => undefined), pidFile: pidFilePath(app.config.dataDir) });
}

/** Where `bootfleet serve` writes its pid while running, for `bootfleet reload`. */
export function pidFilePath(dataDir: string): string {
  return path.join(dataDir, 'bootfleet.pid');
}

export interface RunOptions {
  /** On SIGHUP (`bootfleet reload`): re-read the config; reloads run one at a time. */
  reload?: () => Promise<void>;
  /** Written with our pid once started, removed at stop. */
  pidFile?: string;
}

/**
 * Prints what `app` serves, starts it, and runs until SIGINT or SIGTERM; the exit status
 * (0, 1, or EXIT_OTHER_DHCP_SERVER). Shared by `serve` and `bootfleet dnsmasq`.
 */
export async function runBootfleet(app: Bootfleet, banner: readonly string[] = [], run: RunOptions = {}): Promise<number> {
  // Installed before start so an early SIGHUP does not kill us (its default action); a
  // reload asked for during start-up runs once started.
  let started!: () => void;
  let reloads = new Promise<void>((resolve) => (started = resolve));
  const onHup = (): void => {
    const reload = run.reload;
    if (!reload) return;
    reloads = reloads.then(reload).catch((err: unknown) => {
      process.stderr.write(`bootfleet: reload: ${err instanceof Error ? err.message : String(err)}\n`);
    });
  };
  if (run.reload) process.on('SIGHUP', onHup);
  // Say what we serve before answering anything: an operator must see which LAN a DHCP
  // server is about to talk to.
  for (const line of [...app.describe(), ...banner]) process.stdout.write(`bootfleet: ${line}\n`);
  try {
    await app.start();
  } catch (err) {
    if (err instanceof OtherDhcpServerError) {
      process.stderr.write(`bootfleet: not started: ${err.message}\n`);
      await app.stop().catch(() => undefined);
      return EXIT_OTHER_DHCP_SERVER;
    }
    process.stderr.write(`bootfleet: could not start: ${(err as Error).message}\n`);
    await app.stop().catch(() => undefined);
    return 1;
  }
  if (run.pidFile !== undefined) writeFileSync(run.pidFile, `${process.pid}\n`);
  started();
  process.stdout.write('bootfleet: ready\n');
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  process.stdout.write('bootfleet: stopping\n');
  process.off('SIGHUP', onHup);
  await reloads;
  if (run.pidFile !== undefined) removePidFile(run.pidFile);
  await app.stop();
  return 0;
}

/** Only our own: another server may have started on the same data directory since. */
function removePidFile(file: string): void {
  try {
    if (readFileSync(file, 'utf8').trim() === String(process.pid)) rmSync(file);
  } catch {
    /* already gone */
  }
}
