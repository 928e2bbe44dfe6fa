/**
 * A DHCP client stand-in for the differential tests: run inside a lab client namespace, it
 * sends captured client requests from UDP port 68 and reports every reply that carries the
 * same transaction id. One JSON object a line in both directions:
 *
 *   stdin:  {"id": 1, "packet": "<hex>", "waitMs": 300, "device": "eth0"}
 *   stdout: {"id": 1, "replies": ["<hex>", …]}
 *
 * With `unicast` the request goes instead from `from.address:from.port` to `to.address:to.port`
 * (EDK2's port-4011 requests: from its leased address and port 4011 to the proxy server),
 * through a socket made for that one exchange; replies to it are collected the same way.
 *
 * It waits `waitMs` after sending, or only `settleMs` (default 60 ms) after the first reply:
 * one server answers once, so a short settle catches a duplicate without slowing every
 * exchange. Prints `ready` once the socket is bound.
 *
 *   node dist/dnsmasq/oracle/replay-client.js --device eth0
 */
import { createSocket, type Socket } from 'node:dgram';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { bindToDevice } from '../../transport/bind-device.js';

interface Command {
  id: number;
  packet: string;
  waitMs?: number;
  settleMs?: number;
  unicast?: { from: { address: string; port: number }; to: { address: string; port: number } };
}

const XID_OFFSET = 4;

function out(value: unknown): void {
  process.stdout.write(`${typeof value === 'string' ? value : JSON.stringify(value)}\n`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { device: { type: 'string' } } });
  const socket: Socket = createSocket({ type: 'udp4', reuseAddr: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(68, '0.0.0.0', () => resolve());
  });
  socket.setBroadcast(true);
  // Without an address on the interface there is no route to 255.255.255.255; binding the
  // socket to the device sends the broadcast out of it regardless (as DHCP clients do).
  if (values.device !== undefined) bindToDevice(socket, values.device);

  let pending: { xid: number; replies: string[]; done: () => void; settleMs: number; settle: NodeJS.Timeout | null } | null = null;
  const onReply = (msg: Buffer): void => {
    if (pending === null || msg.length < XID_OFFSET + 4) return;
    if (msg.readUInt32BE(XID_OFFSET) !== pending.xid || msg[0] !== 2) return;
    pending.replies.push(msg.toString('hex'));
    const p = pending;
    if (p.settle === null) p.settle = setTimeout(() => p.done(), p.settleMs);
  };
  socket.on('message', onReply);

  const rl = createInterface({ input: process.stdin });
  out('ready');
  for await (const line of rl) {
    if (line.trim() === '') continue;
    const cmd = JSON.parse(line) as Command;
    const packet = Buffer.from(cmd.packet, 'hex');
    const replies: string[] = [];
    let extra: Socket | null = null;
    if (cmd.unicast !== undefined) {
      const u = cmd.unicast;
      const s2 = createSocket({ type: 'udp4', reuseAddr: true });
      await new Promise<void>((resolve, reject) => {
        s2.once('error', reject);
        s2.bind(u.from.port, u.from.address, () => resolve());
      });
      if (values.device !== undefined) bindToDevice(s2, values.device);
      s2.on('message', onReply);
      extra = s2;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => finish(), cmd.waitMs ?? 500);
      const finish = (): void => {
        clearTimeout(timer);
        if (pending?.settle) clearTimeout(pending.settle);
        pending = null;
        resolve();
      };
      pending = { xid: packet.readUInt32BE(XID_OFFSET), replies, done: finish, settleMs: cmd.settleMs ?? 60, settle: null };
      if (extra !== null && cmd.unicast !== undefined) extra.send(packet, cmd.unicast.to.port, cmd.unicast.to.address);
      else socket.send(packet, 67, '255.255.255.255');
    });
    extra?.close();
    out({ id: cmd.id, replies });
  }
  socket.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`replay-client: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
