/**
 * Writes test/vectors/dnsmasq-relay/: dnsmasq 2.90's real replies to the crafted relayed
 * requests of `relay-requests.ts` (option 118, option 82.5, giaddr), for the root-free check
 * `relay-vectors.test.ts`. Runs dnsmasq in lab namespaces (198.18.0.0/15, removed afterwards);
 * needs root and dnsmasq.
 *
 *   node dist/dnsmasq/oracle/capture-relay-vectors.js [--out test/vectors/dnsmasq-relay]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { destroyAll } from '../../lab/netns.js';
import { encodeDhcp } from '../../wire/dhcp/codec.js';
import { DnsmasqOracle } from './dnsmasq-oracle.js';
import { RELAY, SELECTION_CONF, selectionRequests } from './relay-requests.js';

const DEFAULT_OUT = fileURLToPath(new URL('../../../test/vectors/dnsmasq-relay/', import.meta.url));

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  const out = path.resolve(values.out ?? DEFAULT_OUT);
  const version = execFileSync('dnsmasq', ['--version'], { encoding: 'utf8' }).split('\n')[0] ?? 'dnsmasq';
  const oracle = await DnsmasqOracle.create();
  try {
    oracle.clientNs.run('ip', ['route', 'add', 'local', '198.18.5.0/24', 'dev', 'lo']);
    oracle.server.run('ip', ['route', 'add', '198.18.5.0/24', 'dev', 'bf0']);
    mkdirSync(out, { recursive: true });
    for (const f of ['relay.conf']) rmSync(path.join(out, f), { force: true });
    const conf = path.join(out, 'relay.conf');
    writeFileSync(conf, [...SELECTION_CONF, ''].join('\n'));
    await oracle.start(conf);
    const rows: string[] = [];
    for (const r of selectionRequests()) {
      const request = encodeDhcp(r.packet);
      writeFileSync(path.join(out, `${r.name}.request.bin`), request);
      const replies = await oracle.exchange(request, r.mac, 1500, { from: { address: RELAY, port: 67 }, to: { address: '198.18.0.2', port: 67 } });
      const reply = replies[0];
      rmSync(path.join(out, `${r.name}.reply.bin`), { force: true });
      if (reply !== undefined) writeFileSync(path.join(out, `${r.name}.reply.bin`), reply);
      rows.push(`| \`${r.name}\` | ${reply === undefined ? 'no reply' : `${reply.length} bytes`} |`);
    }
    await oracle.stop();
    writeFileSync(
      path.join(out, 'README.md'),
      [
        '# dnsmasq replies to relayed requests that name their subnet',
        '',
        'Written by `node dist/dnsmasq/oracle/capture-relay-vectors.js` (src/dnsmasq/oracle/capture-relay-vectors.ts)',
        `as root, with ${version}. Do not edit by hand: regenerate instead.`,
        '',
        '`relay.conf` is the configuration dnsmasq ran (`--no-daemon --port=0 --conf-file=relay.conf`, bound to',
        'bf0 = 198.18.0.2/24, `--no-ping`). Each `<name>.request.bin` is a crafted DISCOVER (src/dnsmasq/oracle/',
        `relay-requests.ts) sent from the relay ${RELAY}:67 to 198.18.0.2:67; \`<name>.reply.bin\` is dnsmasq's reply`,
        '(UDP payload), absent when it sent none. `relay-vectors.test.ts` runs bootfleet\'s dnsmasq policy over the',
        'requests without a network and compares its replies with these; `<name>.*.txt` are golden dumps.',
        '',
        '| request | dnsmasq |',
        '|---|---|',
        ...rows,
        '',
      ].join('\n'),
    );
  } finally {
    await oracle.destroy();
    await destroyAll();
  }
}

await main();
