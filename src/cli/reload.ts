import { readFileSync } from 'node:fs';
import { formatProblems, loadConfigFile } from '../config/load.js';
import { pidFilePath } from './serve.js';

export interface ReloadCommandOptions {
  config: string;
  /** Default: `<dataDir>/bootfleet.pid` of the config. */
  pidFile?: string;
}

/**
 * `bootfleet reload -c FILE`: checks the config and its fleetDir here first (a broken one is
 * reported and nothing is sent), then sends SIGHUP to the `bootfleet serve` whose pid is in
 * `<dataDir>/bootfleet.pid`. The server reads the files itself and logs `config.reload` or
 * `config.reload-failed`.
 */
export function reloadCommand(opts: ReloadCommandOptions): number {
  const loaded = loadConfigFile(opts.config);
  if (!loaded.ok) {
    process.stderr.write(formatProblems(loaded.errors) + '\n');
    process.stderr.write(`${opts.config}: not reloaded (the server keeps its current config)\n`);
    return 1;
  }
  const pidFile = opts.pidFile ?? pidFilePath(loaded.config.dataDir);
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
  } catch (e) {
    process.stderr.write(`bootfleet reload: cannot read ${pidFile} (${e instanceof Error && 'code' in e ? String(e.code) : String(e)}): is bootfleet serve running with this config?\n`);
    return 1;
  }
  if (!Number.isInteger(pid) || pid <= 1) {
    process.stderr.write(`bootfleet reload: ${pidFile} holds no pid\n`);
    return 1;
  }
  try {
    process.kill(pid, 'SIGHUP');
  } catch (e) {
    process.stderr.write(`bootfleet reload: cannot signal pid ${pid} from ${pidFile} (${e instanceof Error && 'code' in e ? String(e.code) : String(e)})\n`);
    return 1;
  }
  process.stdout.write(`sent SIGHUP to bootfleet (pid ${pid}); its log says config.reload or config.reload-failed\n`);
  return 0;
}
