/**
 * The admin API's HTTP server (node:http), on its own address and port (`api.address`,
 * default 127.0.0.1:8081): the boot network never sees it unless an operator says so.
 * Every request is authenticated (RFC 6750 bearer tokens) before its body is read; a
 * `read` token may GET, an `admin` token may do everything. Bodies are JSON, at most 1 MiB.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { EventSink } from '../events/boot-event.js';
import { apiError, type ApiResponse } from './api-errors.js';
import type { ApiRoute, HttpMethod } from './api-route.js';
import { defineRoute } from './api-route.js';
import { API_PREFIX, fleetRoutes, type ApiDeps } from './api-routes.js';
import { observeRoutes } from './observe-routes.js';
import { dashboardRoutes } from './dashboard-routes.js';
import { TokenTable, type ApiCaller, type ApiToken } from './api-tokens.js';
import { openApiDocument } from './openapi.js';

export interface ApiServerOptions extends ApiDeps {
  address: string;
  /** 0 picks a free port; read it back from `port` after start(). */
  port: number;
  tokens: readonly ApiToken[];
  log: EventSink;
}

const MAX_BODY = 1024 * 1024;
const METHODS: readonly HttpMethod[] = ['GET', 'PUT', 'PATCH', 'POST', 'DELETE'];

export class ApiServer {
  readonly routes: ApiRoute[];
  private readonly tokens: TokenTable;
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly document: Record<string, unknown>;

  constructor(private readonly opts: ApiServerOptions) {
    this.tokens = new TokenTable(opts.tokens);
    const fleet = fleetRoutes(opts);
    const openapi = defineRoute({
      method: 'GET',
      path: `${API_PREFIX}/openapi.json`,
      role: 'public',
      doc: { summary: 'This API, described in OpenAPI 3.1', tag: 'meta', responses: { 200: { description: 'the OpenAPI document' } } },
      handler: async () => ({ status: 200, body: this.document }),
    });
    this.routes = [openapi, ...fleet, ...observeRoutes(opts), ...dashboardRoutes()];
    this.document = openApiDocument(this.routes);
    this.server = http.createServer((req, res) => void this.serve(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  /** The OpenAPI document served at /api/v1/openapi.json. */
  openApi(): Record<string, unknown> {
    return this.document;
  }

  get port(): number {
    const a = this.server.address();
    return a !== null && typeof a === 'object' ? (a as AddressInfo).port : this.opts.port;
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const fail = (err: Error): void => reject(err);
      this.server.once('error', fail);
      this.server.listen(this.opts.port, this.opts.address, () => {
        this.server.off('error', fail);
        resolve();
      });
    });
    this.opts.log.emit({ kind: 'api.listen', level: 'info', msg: `API on http://${this.opts.address}:${this.port}${API_PREFIX}`, data: { address: this.opts.address, port: this.port, tokens: this.tokens.size } });
    if (this.tokens.size === 0) {
      this.opts.log.emit({ kind: 'api.listen', level: 'warn', msg: 'API has no tokens (api.tokens, api.tokensFile): every request but /openapi.json is refused' });
    }
  }

  async stop(): Promise<void> {
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://api.invalid');
    let out: ApiResponse;
    let caller: ApiCaller | null = null;
    try {
      ({ out, caller } = await this.dispatch(req, method, url));
    } catch (err) {
      this.opts.log.emit({ kind: 'api.error', level: 'error', msg: `${method} ${url.pathname}: ${err instanceof Error ? err.message : String(err)}` });
      out = apiError(500, 'API_INTERNAL', 'internal error (see the server log)');
    }
    send(res, out);
    // Drain what a refused request still sends, so the connection can be reused.
    req.resume();
    this.opts.log.emit({
      kind: 'api.request',
      level: out.status >= 500 ? 'error' : method === 'GET' ? 'debug' : 'info',
      msg: `${method} ${url.pathname} ${out.status}`,
      data: { method, path: url.pathname, status: out.status, caller: caller?.name ?? '-', ms: Date.now() - started },
    });
  }

  /** Route, then authenticate, then authorize, and only then read the body and handle. */
  private async dispatch(req: IncomingMessage, method: string, url: URL): Promise<{ out: ApiResponse; caller: ApiCaller | null }> {
    const routed = this.route(method, url.pathname);
    if ('status' in routed) return { out: routed, caller: null };
    const { route, params } = routed;
    let caller: ApiCaller | null = null;
    if (route.role !== 'public') {
      const auth = this.tokens.authenticate(req.headers.authorization);
      if (!auth.ok) {
        const out = apiError(401, 'API_UNAUTHORIZED', auth.why === 'missing' ? 'no bearer token (Authorization: Bearer <token>)' : 'the bearer token is not known');
        out.headers = { 'WWW-Authenticate': auth.why === 'missing' ? 'Bearer realm="bootfleet"' : 'Bearer realm="bootfleet", error="invalid_token"' };
        return { out, caller: null };
      }
      caller = auth.caller;
      if (route.role === 'admin' && caller.role !== 'admin') {
        const out = apiError(403, 'API_FORBIDDEN', `token ${caller.name} is read-only; ${method} needs an admin token`);
        out.headers = { 'WWW-Authenticate': 'Bearer realm="bootfleet", error="insufficient_scope"' };
        return { out, caller };
      }
    }
    const body = route.body ? await readJson(req) : { ok: true as const, value: undefined };
    if (!body.ok) return { out: body.response, caller };
    return { out: await route.handle({ params, query: url.searchParams, body: body.value, caller }), caller };
  }

  private route(method: string, path: string): { route: ApiRoute; params: Record<string, string> } | ApiResponse {
    const allowed: string[] = [];
    for (const route of this.routes) {
      const m = route.pattern.exec(path);
      if (!m) continue;
      if (route.method !== method) {
        allowed.push(route.method);
        continue;
      }
      const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((x) => x[1] ?? '');
      const params: Record<string, string> = {};
      names.forEach((n, i) => {
        params[n] = safeDecode(m[i + 1] ?? '');
      });
      return { route, params };
    }
    if (allowed.length > 0) {
      const r = apiError(405, 'API_METHOD_NOT_ALLOWED', `${method} is not allowed here; allowed: ${allowed.join(', ')}`);
      r.headers = { Allow: allowed.join(', ') };
      return r;
    }
    return apiError(404, 'API_NOT_FOUND', METHODS.includes(method as HttpMethod) ? `no route ${path}` : `no route ${method} ${path}`);
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

async function readJson(req: IncomingMessage): Promise<{ ok: true; value: unknown } | { ok: false; response: ApiResponse }> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > MAX_BODY) return { ok: false, response: apiError(413, 'API_TOO_LARGE', `body of ${declared} bytes; at most ${MAX_BODY}`) };
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > MAX_BODY) return { ok: false, response: apiError(413, 'API_TOO_LARGE', `body over ${MAX_BODY} bytes`) };
    chunks.push(b);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return { ok: false, response: apiError(400, 'API_BAD_JSON', 'body: empty, expected a JSON object', { field: '' }) };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    return { ok: false, response: apiError(400, 'API_BAD_JSON', `body: not JSON (${e instanceof Error ? e.message : String(e)})`, { field: '' }) };
  }
}

/** A stream whose client reads slower than this many bytes behind is cut off rather than buffered without end. */
const STREAM_BACKLOG = 1024 * 1024;
const STREAM_HEARTBEAT_MS = 15_000;

function send(res: ServerResponse, out: ApiResponse): void {
  const headers: Record<string, string | number> = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', ...out.headers };
  if (out.stream !== undefined) {
    res.writeHead(out.status, { ...headers, 'Content-Type': 'text/event-stream; charset=utf-8', 'X-Accel-Buffering': 'no' });
    res.write(': connected\n\n');
    const stop = out.stream.open((event, data) => {
      if (res.destroyed) return false;
      if (res.writableLength > STREAM_BACKLOG) {
        res.destroy();
        return false;
      }
      // One `data:` line per line of data, as the SSE format requires.
      res.write(`event: ${event}\ndata: ${data.split('\n').join('\ndata: ')}\n\n`);
      return true;
    });
    // Comments keep proxies and idle timers from closing a quiet stream.
    const heartbeat = setInterval(() => res.write(': ping\n\n'), STREAM_HEARTBEAT_MS);
    heartbeat.unref();
    res.on('close', () => {
      clearInterval(heartbeat);
      stop();
    });
    return;
  }
  if (out.text !== undefined) {
    const body = Buffer.from(out.text.body, 'utf8');
    res.writeHead(out.status, { ...headers, 'Content-Type': out.text.contentType, 'Content-Length': body.length });
    res.end(body);
    return;
  }
  if (out.body === undefined || out.status === 204) {
    res.writeHead(out.status, headers);
    res.end();
    return;
  }
  const body = Buffer.from(JSON.stringify(out.body, null, 2) + '\n', 'utf8');
  res.writeHead(out.status, { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': body.length });
  res.end(body);
}
