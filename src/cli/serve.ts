import { Bootfleet } from '../app/bootfleet.js';
import { formatProblems, loadConfigFile } from '../config/load.js';
import { InterfaceLookupError } from '../transport/interfaces.js';

export async function serveCommand(file: string): Promise<number> {
  const loaded = loadConfigFile(file);
  if (!loaded.ok) {
    process.stderr.write(formatProblems(loaded.errors) + '\n');
    process.stderr.write(`${file}: not started\n`);
    return 1;
  }
  for (const w of loaded.warnings) process.stderr.write(`warning: ${w}\n`);
  let app: Bootfleet;
  try {
    app = new Bootfleet(loaded.config);
  } catch (err) {
    if (err instanceof InterfaceLookupError) {
      process.stderr.write(`${file}: interfaces: ${err.message}; not started\n`);
      return 1;
    }
    throw err;
  }
  // Say what we serve before answering anything: an operator must see which LAN a DHCP
  // server is about to talk to.
  for (const line of app.describe()) process.stdout.write(`bootfleet: ${line}\n`);
  try {
    await app.start();
  } catch (err) {
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
