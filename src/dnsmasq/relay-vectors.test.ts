/**
 * dnsmasq 2.90's captured replies to relayed requests that name their subnet
 * (test/vectors/dnsmasq-relay/, written by oracle/capture-relay-vectors.ts) against bootfleet's
 * full-mode responder with the dnsmasq policy over the same configuration, without a network:
 * each reply must agree in type, the range the address is from, boot fields, netmask, router,
 * broadcast, server identifier and option 118 — or both send nothing. Each `.bin` also prints
 * exactly as its `.txt` golden (`BOOTFLEET_UPDATE_GOLDENS=1` rewrites them) and round-trips.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FullModeResponder, type ReceivingInterface } from '../dhcp/full-mode.js';
import { nullSink } from '../events/boot-event.js';
import { SqliteLeaseStore } from '../store/sqlite-lease-store.js';
import { decodeDhcp, encodeDhcp } from '../wire/dhcp/codec.js';
import { formatPacket } from '../wire/dhcp/format.js';
import { MessageType } from '../wire/dhcp/packet.js';
import { dnsmasqReplyPolicy } from './dnsmasq-policy.js';
import { parseDnsmasqConfText } from './load.js';
import { RELAY, SELECTION_RANGES, relayReplyView, selectionRequests } from './oracle/relay-requests.js';
import { loadBaseConfig } from './run-command.js';
import { translateDnsmasq } from './translate.js';

const DIR = fileURLToPath(new URL('../../test/vectors/dnsmasq-relay/', import.meta.url));
const UPDATE = process.env['BOOTFLEET_UPDATE_GOLDENS'] === '1';
/** The oracle's server side (oracle/dnsmasq-oracle.ts ORACLE_NET). */
const BF0: ReceivingInterface = { name: 'bf0', address: '198.18.0.2', netmask: '255.255.255.0' };

test('dnsmasq-relay vectors: golden dumps and round trips', () => {
  const bins = readdirSync(DIR).filter((f) => f.endsWith('.bin')).sort();
  assert.ok(bins.length >= selectionRequests().length, 'vectors missing: run capture-relay-vectors.js as root');
  for (const f of bins) {
    const d = decodeDhcp(readFileSync(join(DIR, f)));
    assert.ok(d.ok, f);
    const text = formatPacket(d.packet);
    const golden = join(DIR, f.replace(/\.bin$/, '.txt'));
    if (UPDATE) writeFileSync(golden, text);
    else {
      assert.ok(existsSync(golden), `${golden} is missing (BOOTFLEET_UPDATE_GOLDENS=1 writes it)`);
      assert.equal(text, readFileSync(golden, 'utf8'), `${f}: golden differs`);
    }
    const again = decodeDhcp(encodeDhcp(d.packet));
    assert.ok(again.ok);
    assert.deepStrictEqual(again.packet, d.packet);
  }
});

test('bootfleet answers the captured relayed requests as dnsmasq 2.90 did', async () => {
  const conf = parseDnsmasqConfText(readFileSync(join(DIR, 'relay.conf'), 'utf8'), 'relay.conf');
  assert.deepEqual(conf.problems, []);
  const base = loadBaseConfig(null);
  assert.ok(base.ok);
  const t = translateDnsmasq({ directives: conf.directives, hostInterfaces: [BF0], base: base.base, isDirectory: () => true });
  assert.ok(t.ok, t.ok ? '' : JSON.stringify(t.errors));
  const store = SqliteLeaseStore.open(':memory:');
  const full = new FullModeResponder({
    config: t.plan.config, store, events: nullSink, localAddresses: [BF0.address],
    policy: dnsmasqReplyPolicy({ model: t.plan.model, hostNets: t.plan.hostNets }),
  });
  try {
    // In capture order: dnsmasq keeps the first relay as a relayed range's router.
    for (const r of selectionRequests()) {
      const d = decodeDhcp(readFileSync(join(DIR, `${r.name}.request.bin`)));
      assert.ok(d.ok, r.name);
      const replyFile = join(DIR, `${r.name}.reply.bin`);
      const real = existsSync(replyFile) ? relayReplyView(readFileSync(replyFile), SELECTION_RANGES) : null;
      const out = await full.handle(d.packet, MessageType.Discover, BF0);
      const got = out.kind === 'reply' ? relayReplyView(out.reply.packet, SELECTION_RANGES) : null;
      assert.deepEqual(got, real, r.name);
      if (out.kind === 'reply') assert.deepEqual(out.reply.to, { address: RELAY, port: 67 }, `${r.name}: to the relay`);
    }
  } finally {
    await store.close();
  }
});
