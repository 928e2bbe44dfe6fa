import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { apiErrorCodes } from './api-errors.js';
import { startTestApi, type TestApi } from './api-test-server.js';

let api: TestApi;
before(async () => {
  api = await startTestApi();
});
after(async () => {
  await api.close();
});

type BodySchema = { type?: string; properties?: object; oneOf?: BodySchema[]; anyOf?: BodySchema[] };
type Operation = { operationId: string; summary: string; security: unknown[]; responses: Record<string, unknown>; requestBody?: { content: Record<string, { schema: BodySchema }> }; 'x-bootfleet-role': string };

async function served(): Promise<{ paths: Record<string, Record<string, Operation>> }> {
  const res = await fetch(`${api.url}/api/v1/openapi.json`);
  return (await res.json()) as { paths: Record<string, Record<string, Operation>> };
}

test('every route is documented, and every documented operation is a route', async () => {
  const doc = await served();
  const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)).sort();
  const routed = api.server.routes.map((r) => `${r.method} ${r.path}`).sort();
  assert.deepEqual(documented, routed);
  assert.ok(routed.length >= 15);
});

test('each operation has a summary, a unique id, its role, its auth errors, and a schema for its body', async () => {
  const doc = await served();
  const ids = new Set<string>();
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const where = `${method} ${path}`;
      assert.ok(op.summary.length > 0, where);
      assert.ok(!ids.has(op.operationId), `${where}: duplicate operationId`);
      ids.add(op.operationId);
      const role = op['x-bootfleet-role'];
      assert.ok(['public', 'read', 'admin'].includes(role), where);
      assert.equal(op.security.length, role === 'public' ? 0 : 1, where);
      if (role !== 'public') assert.ok('401' in op.responses, `${where}: 401 documented`);
      if (role === 'admin') assert.ok('403' in op.responses, `${where}: 403 documented`);
      assert.equal(role === 'read' || role === 'public', method === 'get', `${where}: GET is read, the rest admin`);
      if (method === 'put' || method === 'patch') {
        const schema = op.requestBody?.content['application/json']?.schema;
        // A profile body is one of its kinds (a discriminated union): each must be an object.
        for (const s of schema?.oneOf ?? schema?.anyOf ?? [schema]) {
          assert.equal(s?.type, 'object', `${where}: body schema`);
          assert.ok(s?.properties, `${where}: body properties`);
        }
      }
    }
  }
});

test('every documented operation answers (401 without a token, not 404 or 405)', async () => {
  const doc = await served();
  for (const [path, ops] of Object.entries(doc.paths)) {
    const concrete = path.replace('{mac}', '52:54:00:00:00:01').replace('{name}', 'x');
    for (const [method, op] of Object.entries(ops)) {
      const res = await fetch(api.url + concrete, { method: method.toUpperCase() });
      await res.text();
      assert.equal(res.status, op['x-bootfleet-role'] === 'public' ? 200 : 401, `${method} ${path}`);
    }
  }
});

test('every API error code is documented in src/api/README.md', () => {
  const readme = readFileSync(new URL('../../src/api/README.md', import.meta.url), 'utf8');
  const documented = new Set([...readme.matchAll(/^\| `(API_[A-Z_]+)` \|/gm)].map((m) => m[1]));
  assert.deepEqual([...documented].sort(), [...apiErrorCodes].sort());
});
