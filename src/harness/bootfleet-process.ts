/**
 * Runs a real `bootfleet serve` process inside a lab namespace, for the end-to-end tests
 * and the demo: writes its config, starts it, reads its JSON event lines as they come.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { stringify } from 'yaml';
import type { Netns } from '../lab/netns.js';
import type { EventRecord } from '../events/boot-event.js';

/** One JSON line of bootfleet's event log. */
export type LoggedEvent = EventRecord;

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../cli/main.js');

export class BootfleetProcess {
  readonly events: LoggedEvent[] = [];
  readonly output: string[] = [];
  private readonly waiters = new Set<() => void>();

  private constructor(
    private readonly ns: Netns,
    readonly child: ChildProcess,
    readonly configPath: string,
    readonly dir: string,
  ) {
    const rl = createInterface({ input: child.stdout! });
    rl.on('line', (line) => this.onLine(line));
    const err = createInterface({ input: child.stderr! });
    err.on('line', (line) => this.onLine(`stderr: ${line}`));
  }

  /**
   * Starts bootfleet in `ns` with `config` (a plain object, written as YAML; log format is
   * forced to json so events can be read back). Resolves once it printed `ready`.
   */
  static async start(ns: Netns, config: Record<string, unknown>, opts: { dir?: string; onEvent?: (e: LoggedEvent) => void; timeoutMs?: number } = {}): Promise<BootfleetProcess> {
    const dir = opts.dir ?? mkdtempSync(path.join(tmpdir(), 'bootfleet-e2e-'));
    const configPath = path.join(dir, 'bootfleet.yaml');
    writeFileSync(configPath, stringify({ dataDir: path.join(dir, 'data'), ...config, log: { level: 'debug', format: 'json' } }));
    const child = ns.spawn(process.execPath, [CLI, 'serve', '-c', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    const proc = new BootfleetProcess(ns, child, configPath, dir);
    if (opts.onEvent) proc.onEvent = opts.onEvent;
    await proc.waitForLine(/^bootfleet: ready$/, opts.timeoutMs ?? 15_000);
    return proc;
  }

  onEvent: (e: LoggedEvent) => void = () => {};

  private onLine(line: string): void {
    this.output.push(line);
    if (line.startsWith('{')) {
      try {
        const e = JSON.parse(line) as LoggedEvent;
        this.events.push(e);
        this.onEvent(e);
      } catch {
        /* not an event line */
      }
    }
    for (const w of this.waiters) w();
  }

  /** Resolves with the first line matching `re` (past or future); rejects with the output so far on timeout or exit. */
  waitForLine(re: RegExp, timeoutMs: number): Promise<string> {
    return this.waitUntil(() => this.output.find((l) => re.test(l)), timeoutMs, `a line matching ${re}`);
  }

  waitForEvent(pred: (e: LoggedEvent) => boolean, timeoutMs: number, what = 'event'): Promise<LoggedEvent> {
    return this.waitUntil(() => this.events.find(pred), timeoutMs, what);
  }

  private waitUntil<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = (): void => {
        const hit = probe();
        if (hit !== undefined) {
          done();
          resolve(hit);
        }
      };
      const onExit = (): void => {
        done();
        reject(new Error(`bootfleet exited (code ${this.child.exitCode}) before ${what}:\n${this.output.slice(-30).join('\n')}`));
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}:\n${this.output.slice(-30).join('\n')}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
        this.child.off('exit', onExit);
      };
      this.waiters.add(check);
      this.child.once('exit', onExit);
      check();
    });
  }

  /** Events about one machine, in order: its boot timeline. */
  timeline(mac: string): LoggedEvent[] {
    return this.events.filter((e) => e.mac === mac);
  }

  async stop(): Promise<void> {
    await this.ns.stop(this.child);
  }
}

export function writeFile(dir: string, name: string, body: string | Buffer): string {
  const p = path.join(dir, name);
  writeFileSync(p, body);
  return p;
}
