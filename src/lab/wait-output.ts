/**
 * Waiting on a helper process's log file (dnsmasq, tcpdump): the lab starts tools whose
 * readiness is only visible as a line they print.
 */
import { existsSync, readFileSync } from 'node:fs';

/** Resolves once `pattern` appears in `path`; rejects on timeout or when `exited()` turns true first. */
export async function waitForOutput(
  path: string,
  pattern: RegExp,
  timeoutMs: number,
  exited: () => boolean,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const gone = exited();
    const text = readTextSafe(path);
    if (pattern.test(text)) return;
    if (gone) throw new Error(`${what} exited before it was ready:\n${text.trim()}`);
    if (Date.now() >= deadline) throw new Error(`${what} not ready after ${timeoutMs} ms:\n${text.trim()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A file's text, or '' when it does not exist (yet). */
export function readTextSafe(path: string): string {
  try {
    return existsSync(path) ? readFileSync(path, 'utf8') : '';
  } catch {
    return '';
  }
}
