import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SqliteLeaseStore } from '../store/sqlite-lease-store.js';
import { importDnsmasqLeases, parseDnsmasqLeases } from './lease-file.js';

const NOW = 1_800_000_000_000;
const FUTURE = Math.floor(NOW / 1000) + 3600;

test('dnsmasq lease file: IPv4 lines read, junk and DHCPv6 skipped', () => {
  const text = [
    `${FUTURE} 52:54:00:bf:00:01 198.18.0.150 bios1 01:52:54:00:bf:00:01`,
    `0 52:54:00:BF:00:02 198.18.0.151 * *`,
    'garbage line',
    'duid 00:01:00:01:2c:aa',
    `${FUTURE} 1234 fd00::5 v6host 00:01`,
  ].join('\n');
  const r = parseDnsmasqLeases(text);
  assert.equal(r.skipped, 2);
  assert.deepEqual(r.leases, [
    { expiry: FUTURE, mac: '52:54:00:bf:00:01', address: '198.18.0.150', hostname: 'bios1', clientId: '01525400bf0001' },
    { expiry: 0, mac: '52:54:00:bf:00:02', address: '198.18.0.151', hostname: null, clientId: null },
  ]);
});

test('import: unexpired leases on served subnets become bound leases; bootfleet\'s own win', async () => {
  const store = SqliteLeaseStore.open(':memory:');
  try {
    await store.claim({ clientId: '01525400bf0003', mac: '52:54:00:bf:00:03', address: '198.18.0.120', state: 'bound', expiresAt: NOW + 60_000, hostname: null, now: NOW });
    const { leases } = parseDnsmasqLeases(
      [
        `${FUTURE} 52:54:00:bf:00:01 198.18.0.150 bios1 01:52:54:00:bf:00:01`,
        `0 52:54:00:bf:00:02 198.18.0.151 * *`,
        `${FUTURE - 7200} 52:54:00:bf:00:04 198.18.0.152 * *`,
        `${FUTURE} 52:54:00:bf:00:03 198.18.0.153 * *`,
        `${FUTURE} 52:54:00:bf:00:05 10.0.0.5 * *`,
      ].join('\n'),
    );
    const r = await importDnsmasqLeases(store, leases, (ip) => ip.startsWith('198.18.0.'), NOW);
    assert.deepEqual(r, { imported: 2, skipped: 3 });
    const one = await store.getByClient('01525400bf0001');
    assert.deepEqual([one?.address, one?.state, one?.expiresAt, one?.hostname], ['198.18.0.150', 'bound', FUTURE * 1000, 'bios1']);
    const infinite = await store.getByClient('01525400bf0002');
    assert.ok(infinite !== null && infinite.expiresAt > NOW + 100 * 365 * 86_400_000);
    assert.equal((await store.getByClient('01525400bf0003'))?.address, '198.18.0.120');
  } finally {
    await store.close();
  }
});
