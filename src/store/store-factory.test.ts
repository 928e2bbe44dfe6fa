import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStores, redactUrl } from './store-factory.js';

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
