/**
 * Differential tests with dnsmasq itself as the oracle. For each configuration in
 * test/dnsmasq/*.conf: run the real dnsmasq 2.90 with it in a lab namespace, replay captured
 * client requests (BIOS iPXE, OVMF PXE, ipxe.efi, udhcpc, and variants for UEFI arch 9, plain
 * BIOS PXE and gPXE) from a client namespace, and check that what our tag engine and option
 * selection predict for each request is what dnsmasq answered: message type, yiaddr, siaddr,
 * sname, file, options 43, 60, 66, 67, 17, 175, 209, 210 (see oracle/boot-view.ts).
 *
 * Needs root (network namespaces) and dnsmasq; skipped otherwise.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { canUseNetns, destroyAll } from '../lab/netns.js';
import { decodeDhcp } from '../wire/dhcp/codec.js';
import { getMessageType } from '../wire/dhcp/options.js';
import { MessageType } from '../wire/dhcp/packet.js';
import { loadDnsmasqConfFile } from './load.js';
import { buildModel } from './model.js';
import { formatDnsmasqProblem } from './problems.js';
import { LeaseBook, predictReply, type PredictedReply } from './predict-reply.js';
import { diffViews, viewOfPrediction, viewOfReply } from './oracle/boot-view.js';
import { DnsmasqOracle, ORACLE_NET } from './oracle/dnsmasq-oracle.js';
import { forReplay, replayClients } from './oracle/replay-requests.js';

const CORPUS = fileURLToPath(new URL('../../test/dnsmasq/', import.meta.url));

function haveDnsmasq(): boolean {
  try {
    execFileSync('dnsmasq', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const skip = !canUseNetns() ? 'needs root and iproute2 (network namespaces)' : !haveDnsmasq() ? 'needs dnsmasq' : false;
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
      await oracle.stop();
      const log = oracle
        .log()
        .split('\n')
        .filter((l) => /tags:|DHCP|PXE|bootfile|next server/.test(l))
        .slice(-40)
        .join('\n');
      assert.deepEqual(failures, [], `${failures.length} of ${compared} replies differ from dnsmasq\n--- dnsmasq log (last lines) ---\n${log}`);
      assert.ok(compared >= 10, `only ${compared} replies compared`);
    });
  }
});
