/**
 * One API route: method, path template, the role it needs, its documentation and its
 * handler. The route table is the single source for dispatching and for the OpenAPI
 * description, so a route cannot exist undocumented.
 */
import type { z } from 'zod';
import { findingsFromIssues } from '../config/issue-message.js';
import { fleetObjectName } from '../config/schema.js';
import { formatPath } from '../config/yaml-locate.js';
import { apiError, type ApiResponse } from './api-errors.js';
import type { ApiCaller, ApiRole } from './api-tokens.js';

export type HttpMethod = 'GET' | 'PUT' | 'PATCH' | 'POST' | 'DELETE';

/** What a path parameter holds, and so how it is checked. */
export type PathParamKind = 'mac' | 'name';

export interface QueryParamDoc {
  name: string;
  description: string;
  schema: Record<string, unknown>;
}

export interface RouteDoc {
  summary: string;
  tag: string;
  query?: QueryParamDoc[];
  /** Success responses (errors are added from the route's traits). */
  responses: Record<number, { description: string; schema?: z.ZodType }>;
}

export interface RouteInput<B> {
  params: Record<string, string>;
  query: URLSearchParams;
  body: B;
  caller: ApiCaller | null;
}

export interface ApiRoute {
  method: HttpMethod;
  /** OpenAPI path template, e.g. `/api/v1/machines/{mac}`. */
  path: string;
  /** `public` needs no token. */
  role: ApiRole | 'public';
  doc: RouteDoc;
  params: Record<string, PathParamKind>;
  body: z.ZodType | undefined;
  /** Matches a request path; groups are the parameters in template order. */
  pattern: RegExp;
  handle(input: RouteInput<unknown>): Promise<ApiResponse>;
}

export interface RouteDefinition<S extends z.ZodType | undefined> {
  method: HttpMethod;
  path: string;
  role: ApiRole | 'public';
  doc: RouteDoc;
  params?: Record<string, PathParamKind>;
  body?: S;
  handler: (input: RouteInput<S extends z.ZodType ? z.output<S> : undefined>) => Promise<ApiResponse>;
}

const MAC = /^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/;

export function defineRoute<S extends z.ZodType | undefined = undefined>(def: RouteDefinition<S>): ApiRoute {
  const params = def.params ?? {};
  const names = [...def.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '');
  for (const n of names) if (!(n in params)) throw new Error(`route ${def.method} ${def.path}: parameter ${n} has no kind`);
  const pattern = new RegExp(`^${def.path.replace(/\{\w+\}/g, '([^/]+)').replace(/\./g, '\\.')}$`);
  return {
    method: def.method,
    path: def.path,
    role: def.role,
    doc: def.doc,
    params,
    body: def.body,
    pattern,
    async handle(input) {
      const checked: Record<string, string> = {};
      for (const [name, raw] of Object.entries(input.params)) {
        const kind = params[name];
        if (kind === 'mac') {
          if (!MAC.test(raw)) return apiError(400, 'API_BAD_PARAM', `${name}: got ${JSON.stringify(raw)}, expected a MAC address like 52:54:00:12:34:56`, { field: name });
          checked[name] = raw.toLowerCase().replace(/-/g, ':');
        } else {
          if (!fleetObjectName.safeParse(raw).success) {
            return apiError(400, 'API_BAD_PARAM', `${name}: got ${JSON.stringify(raw)}, expected a name of letters, digits, ".", "_" and "-" (at most 63)`, { field: name });
          }
          checked[name] = raw;
        }
      }
      let body: unknown = undefined;
      if (def.body) {
        const parsed = def.body.safeParse(input.body);
        if (!parsed.success) return badBody(parsed.error.issues, def.body);
        body = parsed.data;
      }
      // The body was checked against `def.body` just above, so it has the handler's type.
      return def.handler({ ...input, params: checked, body: body as S extends z.ZodType ? z.output<S> : undefined });
    },
  };
}

/** 400 naming every field at fault, worded like config problems ("got X, expected Y"). */
export function badBody(issues: readonly z.core.$ZodIssue[], schema: z.ZodType): ApiResponse {
  const found = findingsFromIssues(issues, schema).map((f) => ({ field: formatPath(f.path), message: f.message }));
  const first = found[0] ?? { field: '', message: 'the body does not fit' };
  const where = first.field === '' ? 'body' : first.field;
  return apiError(400, 'API_BAD_BODY', `${where}: ${first.message}`, { field: first.field, issues: found });
}
