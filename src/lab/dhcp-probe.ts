/**
 * A raw DHCP client for lab tests, run inside a test namespace: sends given datagrams from a
 * socket bound to one interface and port (68 for a DISCOVER, 4011 for EDK2's boot server
 * REQUEST), then reports every datagram that comes back to that port, with its source.
 *
 *   node dist/lab/dhcp-probe.js '<DhcpProbeSpec as JSON>'   → one DhcpProbeResult JSON line
 */
import { fileURLToPath } from 'node:url';
import { UdpEndpoint } from '../transport/udp-endpoint.js';

export interface DhcpProbeSpec {
  /** Interface inside the namespace to send and listen on (SO_BINDTODEVICE). */
  device: string;
  /** Local port: 68 like a DHCP client, or 4011 like EDK2's boot server discovery. */
  port: number;
  to: { address: string; port: number };
  /** Datagrams to send, as hex, in order. */
  send: string[];
  /** How long to listen after the last send. */
  listenMs: number;
  /** Stop early once this many datagrams arrived. */
  expect?: number;
}

export interface DhcpProbeResult {
  received: { from: string; port: number; hex: string }[];
}

/** Sends `spec.send` and collects what arrives on the same socket. */
export async function runDhcpProbe(spec: DhcpProbeSpec): Promise<DhcpProbeResult> {
  const received: DhcpProbeResult['received'] = [];
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => (done = resolve));
  const endpoint = await UdpEndpoint.open(
    { device: spec.device, port: spec.port },
    (data, from) => {
      received.push({ from: from.address, port: from.port, hex: data.toString('hex') });
      if (spec.expect !== undefined && received.length >= spec.expect) done();
    },
    () => {},
  );
  try {
    for (const hex of spec.send) await endpoint.send(Buffer.from(hex, 'hex'), spec.to.port, spec.to.address);
    const timer = setTimeout(done, spec.listenMs);
    await finished;
    clearTimeout(timer);
  } finally {
    await endpoint.close();
  }
  return { received };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const spec = JSON.parse(process.argv[2] ?? '{}') as DhcpProbeSpec;
  runDhcpProbe(spec).then(
    (r) => process.stdout.write(JSON.stringify(r) + '\n'),
    (err: unknown) => {
      process.stderr.write(`dhcp-probe: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
