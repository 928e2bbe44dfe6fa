/**
 * The CLI's side of the REST API: where it is (`--api` or `BOOTFLEET_API`, default
 * http://127.0.0.1:8081), the bearer token (`--token` or `BOOTFLEET_TOKEN`), and requests
 * that turn every failure into one readable line.
 */

import { sseEvents, type SseEvent } from '../api/sse-reader.js';

export const DEFAULT_API = 'http://127.0.0.1:8081';

export interface ApiTarget {
  baseUrl: string;
  token: string | undefined;
}

/** Flags win over the environment. */
export function apiTarget(flags: { api?: string; token?: string }, env: NodeJS.ProcessEnv = process.env): ApiTarget {
  const baseUrl = (flags.api ?? env['BOOTFLEET_API'] ?? DEFAULT_API).replace(/\/+$/, '');
  const token = flags.token ?? env['BOOTFLEET_TOKEN'];
  return { baseUrl, token: token === '' ? undefined : token };
}

/** A request that failed: `message` is one line for people. */
export class ApiRequestError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly code: string | null,
  ) {
    super(message);
  }
}

export class ApiClient {
  constructor(private readonly target: ApiTarget) {}

  get(path: string): Promise<unknown> {
    return this.request('GET', path);
  }

  put(path: string, body: unknown): Promise<{ status: number; body: unknown }> {
    return this.requestWithStatus('PUT', path, body);
  }

  patch(path: string, body: unknown): Promise<{ status: number; body: unknown }> {
    return this.requestWithStatus('PATCH', path, body);
  }

  post(path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    return this.requestWithStatus('POST', path, body);
  }

  /** A streamed GET (Server-Sent Events): its events until the server or the caller ends it. */
  async *stream(path: string): AsyncGenerator<SseEvent> {
    const url = `${this.target.baseUrl}/api/v1${path}`;
    const headers: Record<string, string> = { Accept: 'text/event-stream' };
    if (this.target.token !== undefined) headers['Authorization'] = `Bearer ${this.target.token}`;
    let res: Response;
    try {
      res = await fetch(url, { headers });
    } catch (err) {
      const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : err instanceof Error ? err.message : String(err);
      throw new ApiRequestError(`cannot reach the bootfleet API at ${this.target.baseUrl} (${cause})`, null, null);
    }
    if (!res.ok || res.body === null) {
      const e = errorOf(await res.json().catch(() => undefined));
      throw new ApiRequestError(`GET ${path}: ${res.status} ${e.code ?? ''} ${e.message ?? res.statusText}`.replace(/ +/g, ' '), res.status, e.code ?? null);
    }
    yield* sseEvents(res.body);
  }

  private async request(method: string, path: string, body?: unknown): Promise<unknown> {
    return (await this.requestWithStatus(method, path, body)).body;
  }

  private async requestWithStatus(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    const url = `${this.target.baseUrl}/api/v1${path}`;
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (this.target.token !== undefined) headers['Authorization'] = `Bearer ${this.target.token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(url, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}), signal: AbortSignal.timeout(15_000) });
    } catch (err) {
      const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : err instanceof Error ? err.message : String(err);
      throw new ApiRequestError(`cannot reach the bootfleet API at ${this.target.baseUrl} (${cause}); is \`bootfleet serve\` running with the API on? (--api, BOOTFLEET_API)`, null, null);
    }
    const text = await res.text();
    let parsed: unknown = undefined;
    if (text !== '') {
      try {
        parsed = JSON.parse(text) as unknown;
      } catch {
        throw new ApiRequestError(`${method} ${url}: ${res.status}, and the answer is not JSON`, res.status, null);
      }
    }
    if (!res.ok) {
      const e = errorOf(parsed);
      const hint = res.status === 401 ? (this.target.token === undefined ? ' (give a token: --token or BOOTFLEET_TOKEN)' : ' (check the token)') : '';
      throw new ApiRequestError(`${method} ${path}: ${res.status} ${e.code ?? ''} ${e.message ?? res.statusText}${hint}`.replace(/ +/g, ' '), res.status, e.code ?? null);
    }
    return { status: res.status, body: parsed };
  }
}

function errorOf(body: unknown): { code?: string; message?: string } {
  if (typeof body !== 'object' || body === null || !('error' in body)) return {};
  const e: unknown = body.error;
  if (typeof e !== 'object' || e === null) return {};
  const code = 'code' in e && typeof e.code === 'string' ? e.code : undefined;
  const message = 'message' in e && typeof e.message === 'string' ? e.message : undefined;
  return { ...(code !== undefined ? { code } : {}), ...(message !== undefined ? { message } : {}) };
}
