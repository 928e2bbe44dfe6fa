/**
 * Routes for seeing boots: a machine's live timeline, the doctor's reading of it, and
 * Prometheus metrics. Read-only; a `read` token is enough (Prometheus sends it with
 * `authorization: { credentials_file: … }` in its scrape config).
 */
import { z } from 'zod';
import { diagnose } from '../doctor/diagnose.js';
import { formatPrometheus, PROMETHEUS_CONTENT_TYPE } from '../metrics/prometheus-text.js';
import { apiError } from './api-errors.js';
import { defineRoute, type ApiRoute } from './api-route.js';
import { API_PREFIX, type ApiDeps } from './api-routes.js';
import { doctorOut, eventOut } from './api-schemas.js';
import type { StampedEvent } from './event-ring.js';
import { LiveEventHub, type LiveStreamFilter } from './live-events.js';

const MAC = /^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/;

export function observeRoutes(deps: ApiDeps): ApiRoute[] {
  const now = deps.now ?? Date.now;
  const hub = deps.subscribe === undefined ? null : new LiveEventHub(deps.subscribe);
  /** The machine's own timeline; servers without one fall back to the shared window. */
  const timelineOf = (mac: string): StampedEvent[] => deps.timelines?.of(mac) ?? deps.events.recent({ mac, limit: 1000 });

  return [
    defineRoute({
      method: 'GET',
      path: `${API_PREFIX}/machines/{mac}/timeline`,
      role: 'read',
      params: { mac: 'mac' },
      doc: {
        summary: "A machine's recent boot events, oldest first (kept per machine in memory: its last 200)",
        tag: 'events',
        responses: { 200: { description: 'the events (empty when never heard from)', schema: z.array(eventOut) } },
      },
      handler: async ({ params }) => ({ status: 200, body: timelineOf(params.mac!) }),
    }),
    defineRoute({
      method: 'GET',
      path: `${API_PREFIX}/machines/{mac}/doctor`,
      role: 'read',
      params: { mac: 'mac' },
      doc: {
        summary: "How far the machine's last boot got, and why it stopped there",
        tag: 'events',
        responses: { 200: { description: 'the diagnosis', schema: doctorOut } },
      },
      handler: async ({ params }) => ({ status: 200, body: diagnose(params.mac!, timelineOf(params.mac!), now()) }),
    }),
    defineRoute({
      method: 'GET',
      path: `${API_PREFIX}/doctor`,
      role: 'read',
      doc: {
        summary: 'The doctor for every machine with a timeline, the most recently heard from first',
        tag: 'events',
        query: [{ name: 'limit', description: 'at most this many machines, 1 to 1000; default 100', schema: { type: 'integer', minimum: 1, maximum: 1000 } }],
        responses: { 200: { description: 'one diagnosis per machine', schema: z.array(doctorOut) } },
      },
      handler: async ({ query }) => {
        const raw = query.get('limit');
        const limit = raw === null ? 100 : Number(raw);
        if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
          return apiError(400, 'API_BAD_PARAM', `limit: got ${JSON.stringify(raw)}, expected a whole number from 1 to 1000`, { field: 'limit' });
        }
        const at = now();
        const macs = deps.timelines?.recentMacs(limit) ?? [];
        return { status: 200, body: macs.map((mac) => diagnose(mac, timelineOf(mac), at)) };
      },
    }),
    defineRoute({
      method: 'GET',
      path: `${API_PREFIX}/events/stream`,
      role: 'read',
      doc: {
        summary: 'Boot events as they happen (Server-Sent Events, `event: boot`, data = the event as JSON)',
        tag: 'events',
        query: [
          { name: 'mac', description: 'only events about this MAC', schema: { type: 'string' } },
          { name: 'level', description: '`debug` to include debug events (every dropped or ignored packet); default info and up', schema: { type: 'string', enum: ['debug', 'info'] } },
        ],
        responses: { 200: { description: 'text/event-stream, open until the client closes it' } },
      },
      handler: async ({ query, caller }) => {
        if (hub === null) return apiError(404, 'API_NOT_FOUND', 'live events are not available from this server');
        const rawMac = query.get('mac');
        if (rawMac !== null && !MAC.test(rawMac)) {
          return apiError(400, 'API_BAD_PARAM', `mac: got ${JSON.stringify(rawMac)}, expected a MAC address like 52:54:00:12:34:56`, { field: 'mac' });
        }
        const level = query.get('level') ?? 'info';
        if (level !== 'debug' && level !== 'info') return apiError(400, 'API_BAD_PARAM', `level: got ${JSON.stringify(level)}, expected debug or info`, { field: 'level' });
        const name = caller?.name ?? '-';
        const refused = hub.refusal(name);
        if (refused !== null) return apiError(503, 'API_BUSY', refused);
        const filter: LiveStreamFilter = { debug: level === 'debug', ...(rawMac !== null ? { mac: rawMac.toLowerCase().replace(/-/g, ':') } : {}) };
        return { status: 200, stream: { open: (send) => hub.open(name, filter, send) } };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/metrics',
      role: 'read',
      doc: {
        summary: 'Counters and gauges in the Prometheus text format (DHCP, TFTP, HTTP, leases, process)',
        tag: 'meta',
        responses: { 200: { description: 'text/plain; version=0.0.4' } },
      },
      handler: async () => {
        if (deps.metrics === undefined) return apiError(404, 'API_NOT_FOUND', 'metrics are not collected by this server');
        return { status: 200, text: { contentType: PROMETHEUS_CONTENT_TYPE, body: formatPrometheus(await deps.metrics.families()) } };
      },
    }),
  ];
}
