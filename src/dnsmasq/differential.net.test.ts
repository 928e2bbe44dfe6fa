/**
 * Differential tests with dnsmasq itself as the oracle. For each configuration in
 * test/dnsmasq/*.conf: run the real dnsmasq 2.90 with it in a lab namespace, replay captured
 * client requests (BIOS iPXE, OVMF PXE, ipxe.efi, udhcpc, and variants for UEFI arch 9, plain
 * BIOS PXE and gPXE) from a client namespace, and check that what our tag engine and option
 * selection predict for each request is what dnsmasq answered: message type, yiaddr, siaddr,
 * sname, file, options 43, 60, 66, 67, 17, 175, 209, 210 (see oracle/boot-view.ts).
 *
 * Then bootfleet itself runs the same configuration (`bootfleet serve --dnsmasq-conf`, in the
 * same namespace, dnsmasq stopped) and gets the same requests: each of its replies must equal
 * dnsmasq's real reply in those fields — EDK2's captured port-4011 requests included. The
 * allowed differences are documented in README.md, "Deliberate differences": D1, a new
 * client's address (same dhcp-range, bootfleet's lowest free address instead of dnsmasq's MAC
 * hash); D2, yiaddr left empty in a boot server ACK.
 *
 * Needs root (network namespaces) and dnsmasq; skipped otherwise.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { destroyAll } from '../lab/netns.js';
import { decodeDhcp } from '../wire/dhcp/codec.js';
import { getMessageType } from '../wire/dhcp/options.js';
import { MessageType } from '../wire/dhcp/packet.js';
import { loadDnsmasqConfFile } from './load.js';
import { buildModel } from './model.js';
import { formatDnsmasqProblem } from './problems.js';
import { LeaseBook, predictReply, type PredictedReply } from './predict-reply.js';
import { diffViews, viewOfPrediction, viewOfReply, type BootView } from './oracle/boot-view.js';
import { BootfleetUnderTest } from './oracle/bootfleet-under-test.js';
import type { DnsmasqModel } from './model.js';
import { ipv4ToNumber } from './text.js';
import { DnsmasqOracle, ORACLE_NET } from './oracle/dnsmasq-oracle.js';
import { oracleSkip } from './oracle/oracle-skip.js';
import { forReplay, pxePortRequests, replayClients } from './oracle/replay-requests.js';

const CORPUS = fileURLToPath(new URL('../../test/dnsmasq/', import.meta.url));

const skip = oracleSkip();
const corpus = readdirSync(CORPUS).filter((f) => f.endsWith('.conf')).sort();
/** `BOOTFLEET_DIFF_VERBOSE=1` prints every comparison, agreeing or not. */
const VERBOSE = process.env['BOOTFLEET_DIFF_VERBOSE'] === '1';
const iface = { name: ORACLE_NET.serverIf, address: ORACLE_NET.serverAddress, prefixLength: ORACLE_NET.prefixLength };

/** How long to wait for an answer: long when one is expected, short when none is (the usual wait is a few ms). */
function waitFor(p: PredictedReply): number {
  return p.kind === 'reply' ? 2000 : 200;
}

function describePrediction(p: PredictedReply): string {
  if (p.kind !== 'reply') return `${p.kind}: ${p.why}`;
  const tags = [...p.parts.tags].sort().join(',');
  const boot = p.parts.boot === null ? 'none' : `${p.parts.boot.at.file.split('/').pop()}:${p.parts.boot.at.line}`;
  return `${p.mode} ${MessageType[p.messageType]} tags=[${tags}] dhcp-boot=${boot}`;
}

/**
 * D1 (README "Deliberate differences"): a new client's address may differ from dnsmasq's when
 * both lie in the same dynamic dhcp-range and neither is a dhcp-host address.
 */
function addressDifferenceAllowed(model: DnsmasqModel, bootfleet: string, dnsmasq: string): boolean {
  if (bootfleet === '0.0.0.0' || dnsmasq === '0.0.0.0') return false;
  if (model.hostChain.some((h) => h.address === bootfleet || h.address === dnsmasq)) return false;
  const a = ipv4ToNumber(bootfleet);
  const b = ipv4ToNumber(dnsmasq);
  return model.ranges.some((r) => {
    if (r.mode !== 'dynamic') return false;
    const lo = ipv4ToNumber(r.start);
    const hi = ipv4ToNumber(r.end);
    return a >= lo && a <= hi && b >= lo && b <= hi;
  });
}

describe('dnsmasq 2.90 as the oracle for the tag engine and option selection', { skip }, () => {
  let oracle: DnsmasqOracle;
  let xid = 0x5a000000;

  before(async () => {
    oracle = await DnsmasqOracle.create();
  });

  after(async () => {
    await oracle?.destroy();
    await destroyAll();
  });

  for (const name of corpus) {
    test(name, async () => {
      const file = `${CORPUS}${name}`;
      const conf = loadDnsmasqConfFile(file);
      assert.deepEqual(conf.problems.map(formatDnsmasqProblem), [], 'the corpus config parses cleanly');
      const model = buildModel(conf.directives);
      await oracle.start(file);
      const leases = new LeaseBook();
      const failures: string[] = [];
      let compared = 0;
      /** dnsmasq's real replies, in replay order, for the bootfleet run. */
      const real: { label: string; view: BootView | null }[] = [];

      const check = async (client: string, msg: Buffer, mac: string): Promise<Buffer | null> => {
        const decoded = decodeDhcp(msg);
        assert.ok(decoded.ok);
        const type = getMessageType(decoded.packet);
        const predicted = predictReply(model, decoded.packet, iface, leases);
        const replies = await oracle.exchange(msg, mac, waitFor(predicted));
        const label = `${client} ${type === null ? '?' : MessageType[type]}`;
        if (predicted.kind === 'unsupported') {
          failures.push(`${label}: prediction not modelled (${predicted.why})`);
          return replies[0] ?? null;
        }
        if (replies.length > 1) failures.push(`${label}: dnsmasq sent ${replies.length} replies`);
        const actual = replies[0] === undefined ? null : viewOfReply(replies[0]);
        real.push({ label, view: actual });
        const diff = diffViews(actual, viewOfPrediction(predicted));
        compared++;
        if (VERBOSE) console.log(`${name} ${label}: ${describePrediction(predicted)}\n  dnsmasq: ${JSON.stringify(actual)}`);
        if (diff.length > 0) failures.push(`${label} (predicted ${describePrediction(predicted)}):\n    ${diff.join('\n    ')}`);
        return replies[0] ?? null;
      };

      for (const c of replayClients()) {
        const offer = await check(c.name, forReplay(c.discover, ++xid), c.mac);
        const offered = offer === null ? null : decodeDhcp(offer);
        // A real client requests what it was offered; after a proxy offer (or none) it asks
        // the LAN's server, so the captured REQUEST is replayed unchanged apart from its xid.
        const select =
          offered?.ok === true && offered.packet.yiaddr !== '0.0.0.0' ? { address: offered.packet.yiaddr, server: ORACLE_NET.serverAddress } : undefined;
        await check(c.name, forReplay(c.request, ++xid, select), c.mac);
      }
      // Port 4011 (not modelled by predictReply): dnsmasq's real replies are kept for bootfleet's run.
      const to4011 = { address: ORACLE_NET.serverAddress, port: 4011 };
      for (const r of pxePortRequests()) {
        const replies = await oracle.exchange(forReplay(r.packet, ++xid), r.mac, 500, { from: r.from, to: to4011 });
        if (replies.length > 1) failures.push(`${r.name}: dnsmasq sent ${replies.length} replies`);
        real.push({ label: r.name, view: replies[0] === undefined ? null : viewOfReply(replies[0]) });
      }
      await oracle.stop();
      const log = oracle
        .log()
        .split('\n')
        .filter((l) => /tags:|DHCP|PXE|bootfile|next server/.test(l))
        .slice(-40)
        .join('\n');
      assert.deepEqual(failures, [], `${failures.length} of ${compared} replies differ from dnsmasq\n--- dnsmasq log (last lines) ---\n${log}`);
      assert.ok(compared >= 10, `only ${compared} replies compared`);

      // The same requests to bootfleet running the same configuration.
      const bootfleet = await BootfleetUnderTest.start(oracle.server, file, oracle.dir);
      const differences: string[] = [];
      let step = 0;
      let d1 = 0;
      let d2 = 0;
      try {
        const ask = async (client: string, msg: Buffer, mac: string): Promise<Buffer | null> => {
          const expected = real[step++];
          assert.ok(expected !== undefined, 'bootfleet got more requests than dnsmasq');
          const replies = await oracle.exchange(msg, mac, expected.view === null ? 400 : 2000);
          if (replies.length > 1) differences.push(`${expected.label}: bootfleet sent ${replies.length} replies`);
          const got = replies[0] === undefined ? null : viewOfReply(replies[0]);
          let diff = diffViews(got, expected.view, ['bootfleet', 'dnsmasq']);
          if (got !== null && expected.view !== null && got.yiaddr !== expected.view.yiaddr && addressDifferenceAllowed(model, got.yiaddr, expected.view.yiaddr)) {
            diff = diff.filter((d) => !d.startsWith('yiaddr:'));
            d1++;
          }
          if (VERBOSE) console.log(`${name} ${expected.label} bootfleet: ${JSON.stringify(got)}`);
          if (diff.length > 0) differences.push(`${expected.label}:\n    ${diff.join('\n    ')}`);
          return replies[0] ?? null;
        };
        for (const c of replayClients()) {
          const offer = await ask(c.name, forReplay(c.discover, ++xid), c.mac);
          const offered = offer === null ? null : decodeDhcp(offer);
          const select =
            offered?.ok === true && offered.packet.yiaddr !== '0.0.0.0' ? { address: offered.packet.yiaddr, server: ORACLE_NET.serverAddress } : undefined;
          await ask(c.name, forReplay(c.request, ++xid, select), c.mac);
        }
        for (const r of pxePortRequests()) {
          const expected = real[step++];
          assert.ok(expected !== undefined && expected.label === r.name);
          const replies = await oracle.exchange(forReplay(r.packet, ++xid), r.mac, expected.view === null ? 400 : 2000, { from: r.from, to: to4011 });
          const got = replies[0] === undefined ? null : viewOfReply(replies[0]);
          if (VERBOSE) console.log(`${name} ${r.name} dnsmasq: ${JSON.stringify(expected.view)}\n  bootfleet: ${JSON.stringify(got)}`);
          let diff = diffViews(got, expected.view, ['bootfleet', 'dnsmasq']);
          // D2 (README): a boot server ACK from bootfleet leaves yiaddr empty where dnsmasq copies the client's ciaddr.
          if (got !== null && got.yiaddr === '0.0.0.0' && expected.view?.yiaddr === r.from.address) {
            diff = diff.filter((d) => !d.startsWith('yiaddr:'));
            d2++;
          }
          if (diff.length > 0) differences.push(`${r.name}:\n    ${diff.join('\n    ')}`);
        }
      } finally {
        await bootfleet.stop();
      }
      const bfLog = bootfleet
        .log()
        .split('\n')
        .filter((l) => /dnsmasq\.tags|dhcp\.(offer|ack|nak|silent|proxy)|warning|error/.test(l))
        .slice(-30)
        .join('\n');
      if (VERBOSE) console.log(`${name}: bootfleet ${step} exchanges compared with dnsmasq's (${real.filter((r) => r.view !== null).length} answered), ${d1} with address difference D1, ${d2} with D2`);
      assert.deepEqual(differences, [], `${differences.length} of ${step} bootfleet replies differ from dnsmasq's\n--- bootfleet log (last lines) ---\n${bfLog}`);
    });
  }
});
