/**
 * Test support: the stdout of a child process (serve-standalone) as lines, with a way to wait
 * for one. Shared by the DHCP namespace tests.
 */
import type { ChildProcess } from 'node:child_process';

/** Lines of a child's stdout, with a way to wait for one. */
export class Lines {
  readonly all: string[] = [];
  private waiters: { match: (l: string) => boolean; resolve: (l: string) => void }[] = [];
  private buf = '';

  constructor(child: ChildProcess) {
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      this.buf += chunk;
      let nl: number;
      while ((nl = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, nl);
        this.buf = this.buf.slice(nl + 1);
        this.all.push(line);
        this.waiters = this.waiters.filter((w) => (w.match(line) ? (w.resolve(line), false) : true));
      }
    });
  }

  /** Resolves with the first line, from `from` on, that matches. */
  wait(match: (l: string) => boolean, timeoutMs: number, from = 0): Promise<string> {
    const seen = this.all.slice(from).find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out; output so far:\n${this.all.slice(-30).join('\n')}`)), timeoutMs);
      this.waiters.push({
        match,
        resolve: (l) => {
          clearTimeout(timer);
          resolve(l);
        },
      });
    });
  }

  /** The `event {json}` lines serve-standalone prints, of one kind. */
  events(kind: string): { kind: string; mac?: string; data?: Record<string, unknown> }[] {
    return this.all
      .filter((l) => l.startsWith('event '))
      .map((l) => JSON.parse(l.slice('event '.length)) as { kind: string; mac?: string; data?: Record<string, unknown> })
      .filter((e) => e.kind === kind);
  }
}
