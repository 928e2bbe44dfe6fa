import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_TOKEN, READ_TOKEN, startTestApi, type TestApi } from './api-test-server.js';

let api: TestApi;
before(async () => {
  api = await startTestApi();
});
after(async () => {
  await api.close();
});

interface Reply {
  status: number;
  headers: Headers;
  // JSON bodies are checked field by field in the tests.
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function call(method: string, path: string, opts: { token?: string | null; body?: unknown; raw?: string } = {}): Promise<Reply> {
  const token = opts.token === undefined ? ADMIN_TOKEN : opts.token;
  const headers: Record<string, string> = {};
  if (token !== null) headers['Authorization'] = `Bearer ${token}`;
  let body: string | undefined;
  if (opts.raw !== undefined) body = opts.raw;
  else if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(api.url + path, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

const profile = { kernel: 'debian/linux', initrd: ['debian/initrd.gz'], cmdline: 'auto=true' };

describe('auth', () => {
  test('no token: 401 with a Bearer challenge', async () => {
    const r = await call('GET', '/api/v1/machines', { token: null });
    assert.equal(r.status, 401);
    assert.equal(r.body.error.code, 'API_UNAUTHORIZED');
    assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer realm="bootfleet"$/);
  });

  test('wrong token, or not a bearer token: 401 invalid_token', async () => {
    const r = await call('GET', '/api/v1/machines', { token: 'not-a-token-that-we-know' });
    assert.equal(r.status, 401);
    assert.match(r.headers.get('www-authenticate') ?? '', /invalid_token/);
    const basic = await fetch(`${api.url}/api/v1/machines`, { headers: { Authorization: 'Basic dXNlcjpwdw==' } });
    assert.equal(basic.status, 401);
    await basic.text();
  });

  test('a read token reads but cannot write: 403, nothing stored', async () => {
    assert.equal((await call('GET', '/api/v1/profiles', { token: READ_TOKEN })).status, 200);
    const put = await call('PUT', '/api/v1/profiles/ro', { token: READ_TOKEN, body: profile });
    assert.equal(put.status, 403);
    assert.equal(put.body.error.code, 'API_FORBIDDEN');
    assert.match(put.headers.get('www-authenticate') ?? '', /insufficient_scope/);
    assert.equal((await call('PATCH', '/api/v1/machines/52:54:00:00:00:aa', { token: READ_TOKEN, body: { hostname: 'x' } })).status, 403);
    assert.equal((await call('DELETE', '/api/v1/groups/g', { token: READ_TOKEN })).status, 403);
    assert.equal(await api.fleet.getProfile('ro'), null);
    assert.equal(await api.fleet.getMachine('52:54:00:00:00:aa'), null);
  });

  test('a write without a token is refused before its body is read', async () => {
    const r = await call('PUT', '/api/v1/profiles/anon', { token: null, raw: '{not json' });
    assert.equal(r.status, 401);
  });

  test('the OpenAPI document needs no token', async () => {
    const r = await call('GET', '/api/v1/openapi.json', { token: null });
    assert.equal(r.status, 200);
    assert.equal(r.body.openapi, '3.1.0');
  });
});

describe('bad requests: 400 naming the field, nothing stored', () => {
  test('a profile without its kernel', async () => {
    const r = await call('PUT', '/api/v1/profiles/bad', { body: { initrd: [] } });
    assert.equal(r.status, 400);
    assert.equal(r.body.error.code, 'API_BAD_BODY');
    assert.equal(r.body.error.field, 'kernel');
    assert.match(r.body.error.message, /^kernel: required key is missing/);
    assert.equal(await api.fleet.getProfile('bad'), null);
  });

  test('a profile with a line break in its command line (it would start a new iPXE command)', async () => {
    const r = await call('PUT', '/api/v1/profiles/bad', { body: { kernel: 'k', cmdline: 'quiet\nshell' } });
    assert.equal(r.status, 400);
    assert.equal(r.body.error.field, 'cmdline');
    assert.equal(await api.fleet.getProfile('bad'), null);
  });

  test('a group with a wrong type deep in its selector, and an unknown key: every field named', async () => {
    const r = await call('PUT', '/api/v1/groups/bad', { body: { profile: 'x', selector: { arch: ['seven'], colour: 'red' } } });
    assert.equal(r.status, 400);
    const fields = r.body.error.issues.map((i: { field: string }) => i.field).sort();
    assert.deepEqual(fields, ['selector.arch[0]', 'selector.colour']);
    assert.equal(await api.fleet.getGroup('bad'), null);
  });

  test('a group naming a profile that does not exist', async () => {
    const r = await call('PUT', '/api/v1/groups/bad', { body: { profile: 'nope' } });
    assert.equal(r.status, 400);
    assert.equal(r.body.error.code, 'API_UNKNOWN_PROFILE');
    assert.equal(r.body.error.field, 'profile');
    assert.equal(await api.fleet.getGroup('bad'), null);
  });

  test('machine patches: a label that is not text, an unknown state, an empty patch, a bad hostname', async () => {
    const mac = '52:54:00:00:00:bb';
    for (const [body, field] of [
      [{ labels: { rack: 3 } }, 'labels.rack'],
      [{ state: 'broken' }, 'state'],
      [{ hostname: 'a b' }, 'hostname'],
      [{ hostname: 'x', nickname: 'y' }, 'nickname'],
      [{}, ''],
    ] as const) {
      const r = await call('PATCH', `/api/v1/machines/${mac}`, { body });
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.body.error.field, field, JSON.stringify(r.body));
    }
    const unknownProfile = await call('PATCH', `/api/v1/machines/${mac}`, { body: { profile: 'nope' } });
    assert.equal(unknownProfile.status, 400);
    assert.equal(unknownProfile.body.error.field, 'profile');
    assert.equal(await api.fleet.getMachine(mac), null);
  });

  test('not JSON, no body, a bad MAC, a bad name, a bad query', async () => {
    assert.equal((await call('PUT', '/api/v1/profiles/p', { raw: '{"kernel":' })).body.error.code, 'API_BAD_JSON');
    assert.equal((await call('PUT', '/api/v1/profiles/p', {})).body.error.code, 'API_BAD_JSON');
    const mac = await call('GET', '/api/v1/machines/not-a-mac');
    assert.deepEqual([mac.status, mac.body.error.code, mac.body.error.field], [400, 'API_BAD_PARAM', 'mac']);
    assert.equal((await call('PUT', '/api/v1/profiles/-dash', { body: profile })).body.error.field, 'name');
    assert.equal((await call('GET', '/api/v1/machines?state=sleeping')).body.error.field, 'state');
    assert.equal((await call('GET', '/api/v1/events?limit=0')).body.error.field, 'limit');
    assert.equal(await api.fleet.getProfile('p'), null);
  });

  test('a body over 1 MiB: 413', async () => {
    const r = await call('PUT', '/api/v1/profiles/big', { raw: JSON.stringify({ kernel: 'k', cmdline: 'x'.repeat(1024 * 1024) }) });
    assert.equal(r.status, 413);
    assert.equal(r.body.error.code, 'API_TOO_LARGE');
  });

  test('unknown route 404, wrong method 405 with Allow', async () => {
    assert.equal((await call('GET', '/api/v1/nothing')).status, 404);
    const r = await call('POST', '/api/v1/machines');
    assert.equal(r.status, 405);
    assert.equal(r.headers.get('allow'), 'GET');
  });
});

describe('round trips', () => {
  test('profiles: create, replace, read, list, delete', async () => {
    const c = await call('PUT', '/api/v1/profiles/debian', { body: profile });
    assert.equal(c.status, 201);
    assert.deepEqual({ ...c.body, updatedAt: undefined }, { name: 'debian', ...profile, source: 'api', updatedAt: undefined });
    const r = await call('PUT', '/api/v1/profiles/debian', { body: { kernel: 'debian/linux2' } });
    assert.equal(r.status, 200);
    assert.deepEqual([r.body.initrd, r.body.cmdline], [[], ''], 'PUT replaces the whole profile');
    assert.equal((await call('GET', '/api/v1/profiles/debian', { token: READ_TOKEN })).body.kernel, 'debian/linux2');
    await call('PUT', '/api/v1/profiles/talos', { body: profile });
    assert.deepEqual((await call('GET', '/api/v1/profiles')).body.map((p: { name: string }) => p.name), ['debian', 'talos']);
    assert.equal((await call('DELETE', '/api/v1/profiles/talos')).status, 204);
    assert.equal((await call('GET', '/api/v1/profiles/talos')).status, 404);
    assert.equal((await call('DELETE', '/api/v1/profiles/talos')).status, 404);
  });

  test('groups and machines: a machine boots its group\'s profile until given its own', async () => {
    await call('PUT', '/api/v1/profiles/rescue', { body: profile });
    await call('PUT', '/api/v1/profiles/db', { body: profile });
    const g = await call('PUT', '/api/v1/groups/rack3', { body: { profile: 'db', priority: 5, selector: { labels: { rack: '3' }, macs: ['52-54-00-00-00-CC'] } } });
    assert.equal(g.status, 201);
    assert.deepEqual(g.body.selector, { labels: { rack: '3' }, macs: ['52:54:00:00:00:cc'] }, 'MACs are normalised');
    assert.equal((await call('GET', '/api/v1/groups')).body.length, 1);

    const created = await call('PATCH', '/api/v1/machines/52-54-00-00-00-CC', { body: { labels: { rack: '3' }, hostname: 'db-1' } });
    assert.equal(created.status, 201);
    assert.equal(created.body.mac, '52:54:00:00:00:cc');
    assert.deepEqual(created.body.boot, { profile: 'db', by: 'group', group: 'rack3', why: created.body.boot.why });
    assert.match(created.body.boot.why, /group rack3 \(priority 5/);

    const own = await call('PATCH', '/api/v1/machines/52:54:00:00:00:cc', { body: { profile: 'rescue' } });
    assert.equal(own.status, 200);
    assert.deepEqual([own.body.boot.profile, own.body.boot.by, own.body.state], ['rescue', 'machine', 'ready']);
    assert.deepEqual((await call('GET', '/api/v1/machines?state=ready', { token: READ_TOKEN })).body.map((m: { mac: string }) => m.mac), ['52:54:00:00:00:cc']);

    const inUse = await call('DELETE', '/api/v1/profiles/db');
    assert.equal(inUse.status, 409);
    assert.deepEqual(inUse.body.error.usedBy, ['group rack3']);

    assert.equal((await call('PUT', '/api/v1/groups/rack3', { body: { profile: 'rescue' } })).status, 200);
    assert.equal((await call('DELETE', '/api/v1/groups/rack3')).status, 204);
    assert.equal((await call('GET', '/api/v1/groups/rack3')).status, 404);
    assert.equal((await call('DELETE', '/api/v1/machines/52:54:00:00:00:cc')).status, 204);
    assert.equal((await call('GET', '/api/v1/machines/52:54:00:00:00:cc')).status, 404);
  });

  test('objects declared in the config: 409, except a machine\'s state', async () => {
    await api.fleet.applyDeclared(
      {
        profiles: [
          { name: 'cfg', kernel: 'k', initrd: [], cmdline: '', install: 'cfg-installer' },
          { name: 'cfg-installer', kernel: 'k', initrd: [], cmdline: 'bf.callback={{ installDoneUrl }}' },
        ],
        groups: [],
        machines: [{ mac: '52:54:00:00:00:dd', profile: 'cfg', hostname: null, labels: {} }],
      },
      Date.now(),
    );
    const p = await call('PUT', '/api/v1/profiles/cfg', { body: profile });
    assert.deepEqual([p.status, p.body.error.code], [409, 'API_CONFIG_OWNED']);
    assert.equal((await call('PATCH', '/api/v1/machines/52:54:00:00:00:dd', { body: { profile: null } })).status, 409);
    const s = await call('PATCH', '/api/v1/machines/52:54:00:00:00:dd', { body: { state: 'installing' } });
    assert.deepEqual([s.status, s.body.state, s.body.source], [200, 'installing', 'config']);
  });

  test('leases and events are read-only views', async () => {
    api.leases.push({ address: '198.18.0.10', clientId: '01525400000001', mac: '52:54:00:00:00:01', state: 'bound', expiresAt: Date.UTC(2030, 0, 1), hostname: null, updatedAt: Date.UTC(2029, 11, 31) });
    const l = await call('GET', '/api/v1/leases', { token: READ_TOKEN });
    assert.deepEqual(l.body, [{ address: '198.18.0.10', clientId: '01525400000001', mac: '52:54:00:00:00:01', state: 'bound', expiresAt: '2030-01-01T00:00:00.000Z', hostname: null, updatedAt: '2029-12-31T00:00:00.000Z' }]);
    assert.equal((await call('PUT', '/api/v1/leases')).status, 405);
    for (let i = 0; i < 5; i++) api.ring.push({ time: new Date().toISOString(), kind: 'dhcp.discover', level: 'info', mac: i % 2 ? '52:54:00:00:00:01' : '52:54:00:00:00:02', msg: `n${i}` });
    const e = await call('GET', '/api/v1/events?mac=52-54-00-00-00-01&limit=1', { token: READ_TOKEN });
    assert.deepEqual(e.body.map((x: { msg: string }) => x.msg), ['n3']);
    assert.deepEqual((await call('GET', '/api/v1/events?limit=3')).body.map((x: { msg: string }) => x.msg), ['n2', 'n3', 'n4']);
  });

  test('writes are logged with the caller\'s name, never the token', async () => {
    const line = api.logged.find((e) => e.kind === 'api.request' && e.data?.method === 'PUT' && e.data?.status === 201);
    assert.equal(line?.data?.caller, 'ops');
    assert.ok(!JSON.stringify(api.logged).includes(ADMIN_TOKEN));
  });
});
