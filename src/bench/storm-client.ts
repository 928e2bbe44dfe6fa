/**
 * The boot-storm client: a thousand simulated machines in one Node process, run by the
 * harness inside a lane's client namespace. Each machine, started within one short burst,
 * does what a PXE boot does on the wire: DORA through the relay (`storm-dora.ts`), a TFTP
 * read of the boot loader (`storm-tftp-fetch.ts`), then an HTTP GET of the kernel
 * (`storm-http-fetch.ts`), from the address it was given. Its leased address must already
 * be on the namespace's interface (the harness adds the whole pool) so it can send from it.
 *
 *   node dist/bench/storm-client.js '<StormClientSpec as JSON>'   → writes spec.resultFile
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { RelayDora } from './storm-dora.js';
import { httpFetch } from './storm-http-fetch.js';
import { stormMac, type MachineRecord, type StormClientResult, type StormClientSpec } from './storm-spec.js';
import { tftpFetch } from './storm-tftp-fetch.js';

/** A stable per-machine SMBIOS UUID, as option 97 carries it. */
function uuidOf(mac: string): Buffer {
  return createHash('sha256').update(mac).digest().subarray(0, 16);
}

export async function runStormClient(spec: StormClientSpec): Promise<StormClientResult> {
  const tftpFile = readFileSync(spec.tftp.localPath);
  const httpFile = readFileSync(spec.http.localPath);
  const dora = await RelayDora.open({ relayAddr: spec.relayAddr, serverAddr: spec.serverAddr, timeoutsMs: spec.dhcpTimeoutsMs, jitterMs: spec.dhcpJitterMs, rounds: spec.dhcpRounds });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const since = (): number => performance.now() - t0;
  const records: MachineRecord[] = Array.from({ length: spec.machines }, (_, i) => ({
    mac: stormMac(spec.macPrefix, i),
    ip: '',
    ok: false,
    discoverAt: -1,
    ackMs: -1,
    tftpMs: -1,
    totalMs: -1,
    dhcpSends: 0,
    tftpRetransmits: 0,
    tftpWindowsize: 0,
  }));

  const boot = async (r: MachineRecord): Promise<void> => {
    const start = since();
    r.discoverAt = start;
    const lease = await dora.dora(r.mac, uuidOf(r.mac));
    r.dhcpSends = lease.sends;
    if (!lease.ok) return void Object.assign(r, { failedStep: 'dhcp', error: lease.error });
    r.ip = lease.ip;
    r.ackMs = since() - start;
    const t = await tftpFetch({
      localAddress: lease.ip,
      server: spec.serverAddr,
      file: spec.tftp.file,
      blksize: spec.tftp.blksize,
      windowsize: spec.tftp.windowsize,
      expected: tftpFile,
      timeoutMs: spec.tftpTimeoutMs,
      maxTimeoutMs: spec.tftpMaxTimeoutMs,
      tries: spec.tftpTries,
    });
    r.tftpRetransmits = t.retransmits;
    if (!t.ok) return void Object.assign(r, { failedStep: 'tftp', error: t.error });
    r.tftpWindowsize = t.windowsize;
    r.tftpMs = since() - start;
    const h = await httpFetch({ localAddress: lease.ip, server: spec.serverAddr, port: spec.http.port, path: spec.http.path, expected: httpFile, stallMs: spec.httpStallMs });
    if (!h.ok) return void Object.assign(r, { failedStep: 'http', error: h.error });
    r.totalMs = since() - start;
    r.ok = true;
  };

  const all = Promise.all(
    records.map(
      (r, i) =>
        new Promise<void>((resolve) => {
          setTimeout(() => void boot(r).then(resolve, (err: unknown) => (Object.assign(r, { error: String(err) }), resolve())), (i * spec.spreadMs) / spec.machines);
        }),
    ),
  );
  let deadline: NodeJS.Timeout | undefined;
  await Promise.race([all, new Promise<void>((resolve) => (deadline = setTimeout(resolve, spec.deadlineMs)))]);
  clearTimeout(deadline);
  const wallMs = since();
  const cpu = process.cpuUsage(cpu0);
  for (const r of records) {
    if (!r.ok && r.error === undefined) Object.assign(r, { failedStep: r.ip === '' ? 'dhcp' : r.tftpMs < 0 ? 'tftp' : 'http', error: `unfinished at the storm's deadline (${spec.deadlineMs} ms)` });
  }
  await dora.close();
  return { wallMs, machines: records, acks: dora.acks, naks: dora.naks, nakMessages: Object.fromEntries(dora.nakMessages), strayReplies: dora.strayReplies, clientCpuS: (cpu.user + cpu.system) / 1e6 };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const spec = JSON.parse(process.argv[2] ?? '{}') as StormClientSpec;
  runStormClient(spec).then(
    (result) => {
      writeFileSync(spec.resultFile, JSON.stringify(result));
      // Sockets of machines cut off by the deadline may still be open: do not wait for them.
      process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(`storm-client: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
