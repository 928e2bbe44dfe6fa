/** Packet capture inside a lab namespace with tcpdump, for test vectors and debugging. */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Netns } from './netns.js';
import { waitForOutput } from './wait-output.js';

/** A running capture. */
export interface Capture {
  readonly pcapFile: string;
  /** Ends tcpdump (it flushes on SIGTERM; `-U` already writes each packet as it comes). */
  stop(): Promise<void>;
}

/** Starts `tcpdump -w pcapFile` on `iface` inside `ns` and waits until it is listening. */
export async function startCapture(ns: Netns, iface: string, pcapFile: string, filter = 'udp'): Promise<Capture> {
  mkdirSync(dirname(pcapFile), { recursive: true });
  const logFile = `${pcapFile}.log`;
  const fd = openSync(logFile, 'w');
  // -Z root: tcpdump would otherwise drop to its own user, which cannot write lab temp dirs.
  // --immediate-mode: with TPACKET_V3 libpcap hands packets over in blocks (≤1 s late), and the
  // packets still in the ring when tcpdump is stopped would be lost.
  const args = ['-i', iface, '-n', '--immediate-mode', '-U', '-Z', 'root', '-w', pcapFile, filter];
  const child = ns.spawn('tcpdump', args, {
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  let gone = false;
  child.once('exit', () => (gone = true));
  await waitForOutput(logFile, /listening on/, 10_000, () => gone, 'tcpdump');
  return {
    pcapFile,
    async stop() {
      // Let the last packets leave the kernel's ring before tcpdump closes it.
      await new Promise((r) => setTimeout(r, 300));
      await ns.stop(child, 'SIGINT');
    },
  };
}
