import { Bootfleet } from '../app/bootfleet.js';
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
  return runBootfleet(app);
}

/**
 * Prints what `app` serves, starts it, and runs until SIGINT or SIGTERM; the exit status
 * (0, 1, or EXIT_OTHER_DHCP_SERVER). Shared by `serve` and `bootfleet dnsmasq`.
 */
export async function runBootfleet(app: Bootfleet, banner: readonly string[] = []): Promise<number> {
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
  process.stdout.write('bootfleet: ready\n');
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  process.stdout.write('bootfleet: stopping\n');
  await app.stop();
  return 0;
}
