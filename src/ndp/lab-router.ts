/**
 * A stand-in for a LAN's IPv6 router in namespace tests: sends one or more unsolicited
 * router advertisements to all nodes (ff02::1), as radvd does every few minutes.
 *
 *   node dist/ndp/lab-router.js --device eth0 [--lifetime 1800] [--prefix 2001:db8:1::] [--count 1]
 *
 * Prints `sent <n>` after each. Only for lab namespaces (docs/HELPERS.md, network safety).
 */
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { RawIcmpv6Socket } from '../transport/raw-icmpv6.js';
import { encodeNdp, NdpOptionType, NdpType, parseIpv6, type NdpOption } from '../wire/ndp/index.js';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { device: { type: 'string' }, lifetime: { type: 'string' }, prefix: { type: 'string' }, count: { type: 'string' } } });
  if (!values.device) throw new Error('usage: lab-router --device <if> [--lifetime s] [--prefix addr] [--count n]');
  const options: NdpOption[] = [];
  if (values.prefix) {
    const prefix = parseIpv6(values.prefix);
    if (!prefix) throw new Error(`bad prefix ${values.prefix}`);
    // RFC 4861 §4.6.2: /64, on-link and autonomous, valid 1 day, preferred 4 h.
    const body = Buffer.alloc(30);
    body[0] = 64;
    body[1] = 0xc0;
    body.writeUInt32BE(86400, 2);
    body.writeUInt32BE(14400, 6);
    Buffer.from(prefix).copy(body, 14);
    options.push({ type: NdpOptionType.PrefixInformation, body });
  }
  const ra = encodeNdp({ type: NdpType.RouterAdvertisement, curHopLimit: 64, flags: 0, routerLifetime: Number(values.lifetime ?? 1800), reachableTime: 0, retransTimer: 0, options });
  const sock = RawIcmpv6Socket.open({ device: values.device, types: [], hopLimit: 255 }, () => {}, () => {});
  const count = Number(values.count ?? 1);
  try {
    for (let i = 1; i <= count; i++) {
      for (let attempt = 0; ; attempt++) {
        try {
          sock.send(ra, parseIpv6('ff02::1')!);
          break;
        } catch (err) {
          // The link-local address may still be tentative just after the namespace was made.
          if (attempt > 50) throw err;
          await sleep(100);
        }
      }
      process.stdout.write(`sent ${i}\n`);
      if (i < count) await sleep(1000);
    }
  } finally {
    await sock.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`lab-router: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
