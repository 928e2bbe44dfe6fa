import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStores, redactUrl } from './store-factory.js';
import { SqliteLeaseStore } from './sqlite-lease-store.js';
import { PartialSightingsError } from './fleet-store.js';

const root = mkdtempSync(join(tmpdir(), 'bootfleet-factory-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('no store key, or sqlite: both stores in <dataDir>/bootfleet.db', async () => {
  for (const store of [undefined, 'sqlite']) {
    const dataDir = join(root, String(store));
    const opened = await openStores({ dataDir, store });
    assert.equal(opened.kind, 'sqlite');
    assert.ok(existsSync(join(dataDir, 'bootfleet.db')));
    assert.match(opened.where, /bootfleet\.db \(SQLite\)$/);
    const claimed = await opened.leases.claim({ clientId: 'c', mac: '52:54:00:00:00:01', address: '198.18.0.10', state: 'bound', expiresAt: 10, hostname: null, now: 1 });
    assert.ok(claimed.ok);
    assert.deepEqual((await opened.fleet.recordSightings([{ mac: '52:54:00:00:00:01', at: 1 }])).discovered, ['52:54:00:00:00:01']);
    await Promise.all([opened.leases.close(), opened.fleet.close()]);
  }
});

test('SQLite file: sightings are written by the lease writer thread, in chunks, merged like the fleet store merges them', async () => {
  const dataDir = join(root, 'thread');
  const opened = await openStores({ dataDir });
  assert.ok(opened.leases instanceof SqliteLeaseStore && opened.leases.sightingWriter() !== null, 'a file store has a writer thread');
  const mac = (i: number): string => `52:54:00:01:${((i >> 8) & 0xff).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`;
  // More than one chunk (500) goes to the thread; every new MAC is reported once.
  const first = Array.from({ length: 1234 }, (_, i) => ({ mac: mac(i), at: 1000 + i, ip: `198.18.${i >> 8}.${i & 0xff}` }));
  const { discovered } = await opened.fleet.recordSightings(first);
  assert.equal(discovered.length, 1234);
  assert.deepEqual(new Set(discovered), new Set(first.map((s) => s.mac)));
  // Known machines are not discovered again; facts of a newer sighting win, an older one's do not.
  const again = await opened.fleet.recordSightings([
    { mac: mac(7), at: 5000, ip: '198.18.9.9', arch: 7, firmware: 'uefi-pxe', hostname: 'n7' },
    { mac: mac(8), at: 10, ip: '198.18.9.10' },
    { mac: mac(5000), at: 6000 },
  ]);
  assert.deepEqual(again.discovered, [mac(5000)]);
  // Read back on the main thread's own connection: the thread's commits are in the file.
  const m7 = await opened.fleet.getMachine(mac(7));
  assert.equal(m7?.lastIp, '198.18.9.9');
  assert.equal(m7?.arch, 7);
  assert.equal(m7?.hostname, 'n7');
  assert.equal(m7?.firstSeen, 1007);
  assert.equal(m7?.lastSeen, 5000);
  const m8 = await opened.fleet.getMachine(mac(8));
  assert.equal(m8?.lastIp, '198.18.0.8');
  assert.equal(m8?.firstSeen, 10);
  assert.equal(m8?.state, 'discovered');
  assert.equal((await opened.fleet.listMachines()).length, 1235);
  // They go through the lease store's thread: once it is closed, the fleet cannot write sightings.
  await opened.leases.close();
  await assert.rejects(opened.fleet.recordSightings([{ mac: mac(6000), at: 7000 }]), /lease store is closed/);
  await opened.fleet.close();
  await assert.rejects(opened.fleet.recordSightings([{ mac: mac(6001), at: 7000 }]), /fleet store is closed/);
});

test('SQLite file: the writer thread closing between chunks rejects with the new machines of the chunks committed', async () => {
  const opened = await openStores({ dataDir: join(root, 'partial') });
  assert.ok(opened.leases instanceof SqliteLeaseStore);
  const mac = (i: number): string => `52:54:00:02:${((i >> 8) & 0xff).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`;
  const many = Array.from({ length: 1234 }, (_, i) => ({ mac: mac(i), at: 1000 }));
  // The first chunk is with the thread before close() is asked; the next ones find it closing.
  const writing = opened.fleet.recordSightings(many);
  const closing = opened.leases.close();
  const err = await writing.then(
    () => null,
    (e: unknown) => e,
  );
  await closing;
  assert.ok(err instanceof PartialSightingsError, `a partial write, got ${String(err)}`);
  assert.equal(err.discovered.length, 500);
  await opened.fleet.close();
  // What it says was committed is in the file.
  const again = await openStores({ dataDir: join(root, 'partial') });
  assert.equal((await again.fleet.listMachines()).length, 500);
  await again.fleet.close();
  await again.leases.close();
});

test('anything else is refused before anything is opened', async () => {
  await assert.rejects(openStores({ dataDir: join(root, 'x'), store: 'mysql://u:secret@h/db' }), (err: Error) => {
    assert.match(err.message, /neither "sqlite" nor a postgres:\/\/ URL/);
    assert.doesNotMatch(err.message, /secret/);
    return true;
  });
  assert.equal(existsSync(join(root, 'x')), false);
});

test('passwords never reach a log line', () => {
  assert.equal(redactUrl('postgres://bf:s3cret@db.example:5432/fleet'), 'postgres://bf:***@db.example:5432/fleet');
  assert.equal(redactUrl('postgresql://db.example/fleet?user=bf&password=s3cret&sslmode=require'), 'postgresql://db.example/fleet?user=bf&password=***&sslmode=require');
  assert.equal(redactUrl('postgres://bf@%2Frun%2Fpostgresql/fleet'), 'postgres://bf@%2Frun%2Fpostgresql/fleet');
});
