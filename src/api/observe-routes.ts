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

export function observeRoutes(deps: ApiDeps): ApiRoute[] {
  const now = deps.now ?? Date.now;
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
