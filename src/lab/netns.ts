/**
 * Test-lab network namespaces. Everything that puts DHCP or TFTP on a wire in tests and
 * the demo goes through here, so that it happens only inside namespaces this process
 * made, with addresses from 198.18.0.0/15, and is torn down afterwards.
 */
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

const PREFIX = 'bft';
let counter = 0;
const live = new Set<Netns>();

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A namespace of ours, with the processes started in it so they can be ended by PID. */
export class Netns {
  private readonly children = new Set<ChildProcess>();
  private destroyed = false;

  private constructor(readonly name: string) {}

  static create(role: string): Netns {
    const name = `${PREFIX}${process.pid}-${counter++}-${role}`.slice(0, 40);
    ip('netns', 'add', name);
    const ns = new Netns(name);
    live.add(ns);
    ns.run('ip', ['link', 'set', 'lo', 'up']);
    return ns;
  }

  /** Runs a command to completion inside the namespace and returns its stdout. */
  run(cmd: string, args: string[], opts: { input?: string; timeoutMs?: number } = {}): string {
    return execFileSync('ip', ['netns', 'exec', this.name, cmd, ...args], {
      encoding: 'utf8',
      input: opts.input,
      timeout: opts.timeoutMs ?? 60_000,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  }

  /** Starts a long-running process inside the namespace, in its own session; ended by `destroy()`. */
  spawn(cmd: string, args: string[], opts: SpawnOptions = {}): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', this.name, cmd, ...args], { detached: true, ...opts });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child;
  }

  /** Ends one process we started (its whole process group) and waits for it. */
  async stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 3000): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    killGroup(child.pid, signal);
    const timer = setTimeout(() => child.pid !== undefined && killGroup(child.pid, 'SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  /** Ends every process started here and deletes the namespace (and so its interfaces). */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    await Promise.all([...this.children].map((c) => this.stop(c)));
    try {
      ip('netns', 'del', this.name);
    } catch {
      /* already gone */
    }
    live.delete(this);
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already exited */
    }
  }
}

/** A veth pair with one end in each namespace, addresses in CIDR form (198.18.x.x/nn) or none. */
export function vethPair(a: Netns, aName: string, aAddr: string | null, b: Netns, bName: string, bAddr: string | null): void {
  const tmp = `bfv${process.pid % 100000}${counter++}`;
  ip('link', 'add', tmp, 'type', 'veth', 'peer', 'name', `${tmp}p`);
  ip('link', 'set', tmp, 'netns', a.name);
  ip('link', 'set', `${tmp}p`, 'netns', b.name);
  a.run('ip', ['link', 'set', tmp, 'name', aName]);
  b.run('ip', ['link', 'set', `${tmp}p`, 'name', bName]);
  for (const [ns, dev, addr] of [
    [a, aName, aAddr],
    [b, bName, bAddr],
  ] as const) {
    if (addr) ns.run('ip', ['addr', 'add', addr, 'dev', dev]);
    ns.run('ip', ['link', 'set', dev, 'up']);
  }
}

/** A bridge inside `ns`, optionally with an address, and with any given links enslaved. */
export function bridge(ns: Netns, name: string, addr: string | null, members: string[] = []): void {
  ns.run('ip', ['link', 'add', name, 'type', 'bridge', 'forward_delay', '0']);
  // Bridges forward only after STP settles unless told otherwise; the lab has no loops.
  ns.run('ip', ['link', 'set', name, 'type', 'bridge', 'stp_state', '0']);
  if (addr) ns.run('ip', ['addr', 'add', addr, 'dev', name]);
  ns.run('ip', ['link', 'set', name, 'up']);
  for (const m of members) ns.run('ip', ['link', 'set', m, 'master', name]);
}

/** A tap device inside `ns` for a QEMU VM, enslaved to `bridgeName`. */
export function tap(ns: Netns, name: string, bridgeName: string): void {
  ns.run('ip', ['tuntap', 'add', 'dev', name, 'mode', 'tap']);
  ns.run('ip', ['link', 'set', name, 'master', bridgeName]);
  ns.run('ip', ['link', 'set', name, 'up']);
}

/** Destroys every namespace this process still holds: for `after()` hooks and signal handlers. */
export async function destroyAll(): Promise<void> {
  await Promise.all([...live].map((ns) => ns.destroy()));
}

/** True when this process may create namespaces (root with iproute2). */
export function canUseNetns(): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    void destroyAll().finally(() => process.exit(130));
  });
}
