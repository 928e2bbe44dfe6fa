/**
 * The dnsmasq policy through bootfleet's own responders, without a network (the same
 * question differential.net.test.ts asks of the live servers): for every corpus config and
 * replayed client, the reply the full-mode or proxy-mode responder builds with the dnsmasq
 * policy has the boot fields and options the engine predicts for dnsmasq. yiaddr may differ
 * only as README "Deliberate differences" D1 allows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FullModeResponder, type ReceivingInterface } from '../dhcp/full-mode.js';
import { ProxyModeResponder } from '../dhcp/proxy-mode.js';
import { screenRequest } from '../dhcp/screen.js';
import { nullSink } from '../events/boot-event.js';
import { SqliteLeaseStore } from '../store/sqlite-lease-store.js';
import { decodeDhcp, encodeDhcp } from '../wire/dhcp/codec.js';
import { dnsmasqReplyPolicy } from './dnsmasq-policy.js';
import { loadDnsmasqConfFile } from './load.js';
import { diffViews, viewOfPrediction, viewOfReply } from './oracle/boot-view.js';
import { forReplay, replayClients } from './oracle/replay-requests.js';
import { LeaseBook, predictReply } from './predict-reply.js';
import { loadBaseConfig } from './run-command.js';
import { translateDnsmasq } from './translate.js';

const CORPUS = fileURLToPath(new URL('../../test/dnsmasq/', import.meta.url));
const IFACE: ReceivingInterface = { name: 'bf0', address: '198.18.0.2', netmask: '255.255.255.0' };

for (const name of readdirSync(CORPUS).filter((f) => f.endsWith('.conf')).sort()) {
  test(`${name}: bootfleet's responders with the dnsmasq policy answer as predicted`, async () => {
    const conf = loadDnsmasqConfFile(`${CORPUS}${name}`);
    assert.deepEqual(conf.problems, []);
    const base = loadBaseConfig(null);
    assert.ok(base.ok);
    const t = translateDnsmasq({ directives: conf.directives, hostInterfaces: [IFACE], base: base.base, isDirectory: () => true });
    assert.ok(t.ok, t.ok ? '' : JSON.stringify(t.errors));
    const { plan } = t;
    const policy = dnsmasqReplyPolicy({ model: plan.model });
    const store = SqliteLeaseStore.open(':memory:');
    const full = new FullModeResponder({ config: plan.config, store, events: nullSink, localAddresses: [IFACE.address], policy });
    const proxy = new ProxyModeResponder({ config: plan.config, events: nullSink, policy });
    const mode = plan.config.interfaces[0]?.mode;
    const leases = new LeaseBook();
    const reservedAddresses = new Set(plan.model.hostChain.map((h) => h.address));
    let xid = 0x6b000000;
    try {
      for (const c of replayClients()) {
        let select: { address: string; server: string } | undefined;
        for (const bytes of [c.discover, c.request]) {
          const msg = forReplay(bytes, ++xid, select);
          const d = decodeDhcp(msg);
          assert.ok(d.ok);
          const screened = screenRequest(d.packet);
          assert.ok(screened.ok);
          const outcome =
            mode === 'proxy'
              ? proxy.handle(d.packet, screened.type, { iface: IFACE, via: 'dhcp', from: { address: '0.0.0.0', port: 68 } })
              : await full.handle(d.packet, screened.type, IFACE);
          const got = outcome.kind === 'reply' ? viewOfReply(encodeDhcp(outcome.reply.packet, outcome.reply.encode)) : null;
          const want = viewOfPrediction(predictReply(plan.model, d.packet, { name: 'bf0', address: IFACE.address, prefixLength: 24 }, leases));
          let diff = diffViews(got, want, ['bootfleet', 'predicted']);
          if (got !== null && want !== null && got.yiaddr !== want.yiaddr && !reservedAddresses.has(got.yiaddr) && !reservedAddresses.has(want.yiaddr)) {
            diff = diff.filter((l) => !l.startsWith('yiaddr:')); // D1
          }
          assert.deepEqual(diff, [], `${c.name} ${bytes === c.discover ? 'DISCOVER' : 'REQUEST'}`);
          select = got !== null && got.yiaddr !== '0.0.0.0' ? { address: got.yiaddr, server: IFACE.address } : undefined;
        }
      }
    } finally {
      await store.close();
    }
  });
}
