import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteLeaseStore } from '../store/sqlite-lease-store.js';
import { preloadBootfleet, preloadLeases, writeDnsmasqLeases, writeKeaLeases } from './preload.js';

const dir = mkdtempSync(path.join(tmpdir(), 'bench-preload-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('preloadLeases takes the top of the pool with MACs perfdhcp never uses', () => {
  const l = preloadLeases(1000, 3);
  assert.deepEqual(
    l.map((x) => `${x.mac} ${x.clientIdHex} ${x.address}`),
    ['02:bf:00:00:00:00 0102bf00000000 198.19.3.239', '02:bf:00:00:00:01 0102bf00000001 198.19.3.240', '02:bf:00:00:00:02 0102bf00000002 198.19.3.241'],
  );
});

test('dnsmasq and Kea lease files in their formats', () => {
  const leases = preloadLeases(100, 1);
  writeDnsmasqLeases(path.join(dir, 'd.leases'), leases, 1000);
  assert.equal(readFileSync(path.join(dir, 'd.leases'), 'utf8'), '4600 02:bf:00:00:00:00 198.19.0.109 * 01:02:bf:00:00:00:00\n');
  writeKeaLeases(path.join(dir, 'k.csv'), leases, 1000);
  assert.equal(readFileSync(path.join(dir, 'k.csv'), 'utf8').split('\n')[1], '198.19.0.109,02:bf:00:00:00:00,01:02:bf:00:00:00:00,3600,4600,1,0,0,,0,');
});

test('bootfleet preload lands in its store as bound leases', async () => {
  const data = path.join(dir, 'bf');
  await preloadBootfleet(data, preloadLeases(500, 400), Date.now());
  const s = SqliteLeaseStore.openDataDir(data);
  const all = await s.list();
  assert.equal(all.length, 400);
  assert.ok(all.every((l) => l.state === 'bound'));
  await s.close();
});
