/**
 * The OpenAPI 3.1 description, generated from the route table (paths, parameters, roles)
 * and the zod schemas (bodies and responses), so it cannot drift from what is served.
 */
import { z } from 'zod';
import type { ApiRoute } from './api-route.js';
import { API_PREFIX, errorSchema } from './api-routes.js';

type Json = Record<string, unknown>;

const paramSchemas: Record<string, Json> = {
  mac: { type: 'string', pattern: '^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$', description: 'MAC address, `:` or `-` separated' },
  name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$' },
};

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json;
  return rest;
}

const errorRef = { $ref: '#/components/schemas/Error' };

function errorResponses(route: ApiRoute): Json {
  const out: Json = {};
  const err = (description: string): Json => ({ description, content: { 'application/json': { schema: errorRef } } });
  const hasParams = Object.keys(route.params).length > 0;
  if (route.body || hasParams || (route.doc.query?.length ?? 0) > 0) out['400'] = err('a bad body, path or query parameter (API_BAD_BODY, API_BAD_JSON, API_BAD_PARAM, API_UNKNOWN_PROFILE), with the field named');
  if (route.role !== 'public') out['401'] = err('no token, or not a known token (API_UNAUTHORIZED)');
  if (route.role === 'admin') out['403'] = err('a read-only token (API_FORBIDDEN)');
  if (hasParams) out['404'] = err('no such object (API_NOT_FOUND)');
  if (route.method !== 'GET') out['409'] = err('declared in the config (API_CONFIG_OWNED), or still in use (API_IN_USE)');
  if (route.body) out['413'] = err('body over 1 MiB (API_TOO_LARGE)');
  return out;
}

/** A stable operationId like `patchMachinesMac`. */
export function operationId(route: ApiRoute): string {
  const words = route.path
    .slice(API_PREFIX.length)
    .replace(/[{}.]/g, '/')
    .split('/')
    .filter(Boolean)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1));
  return route.method.toLowerCase() + words.join('');
}

export function openApiDocument(routes: readonly ApiRoute[]): Json {
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    const parameters: Json[] = [
      ...Object.entries(route.params).map(([name, kind]) => ({ name, in: 'path', required: true, schema: paramSchemas[kind] })),
      ...(route.doc.query ?? []).map((q) => ({ name: q.name, in: 'query', required: false, description: q.description, schema: q.schema })),
    ];
    const responses: Json = {};
    for (const [status, r] of Object.entries(route.doc.responses)) {
      responses[status] = r.schema ? { description: r.description, content: { 'application/json': { schema: jsonSchema(r.schema, 'output') } } } : { description: r.description };
    }
    Object.assign(responses, errorResponses(route));
    const op: Json = {
      operationId: operationId(route),
      summary: route.doc.summary,
      tags: [route.doc.tag],
      'x-bootfleet-role': route.role,
      security: route.role === 'public' ? [] : [{ bearer: [] }],
      responses,
    };
    if (parameters.length > 0) op['parameters'] = parameters;
    if (route.body) op['requestBody'] = { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } };
    paths[route.path] = { ...(paths[route.path] ?? {}), [route.method.toLowerCase()]: op };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'bootfleet API',
      version: '1',
      description: 'Machines, groups, profiles, leases and events of one bootfleet server. Bearer tokens: `read` may GET, `admin` may do everything.',
    },
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: { Error: jsonSchema(errorSchema, 'output') },
    },
    paths,
  };
}
