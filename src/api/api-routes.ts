/**
 * The API's routes under /api/v1: machines, groups, profiles (the fleet), leases and
 * events (read-only views). Handlers are thin: check, call the store, shape the answer.
 */
import { z } from 'zod';
import type { FleetStore, FleetWriteError } from '../store/fleet-store.js';
import type { LeaseStore } from '../store/lease-store.js';
import { randomBytes } from 'node:crypto';
import { checkProfileTemplates } from '../boot/templates/check-profile.js';
import { formatTemplateProblem } from '../boot/templates/template.js';
import { installTokenFrom } from '../fleet/boot-once.js';
import { applyPatch, machineStates, newApiMachine, type Machine, type MachinePatch } from '../fleet/machine.js';
import { resolveProfile } from '../fleet/resolve-profile.js';
import { apiError, type ApiResponse } from './api-errors.js';
import { defineRoute, type ApiRoute } from './api-route.js';
import { errorOut, eventOut, groupBody, groupOut, leaseOut, machineOut, machinePatchBody, profileBody, profileOut } from './api-schemas.js';
import { groupJson, leaseJson, machineJson, profileJson } from './api-json.js';
import type { EventRing, StampedEvent } from './event-ring.js';
import type { MachineTimelines } from '../events/machine-timelines.js';
import type { BootfleetMetrics } from '../metrics/bootfleet-metrics.js';

export interface ApiDeps {
  fleet: FleetStore;
  leases: Pick<LeaseStore, 'list'>;
  events: EventRing;
  /** Each machine's own recent events (timeline and doctor routes); without it they answer from `events`. */
  timelines?: MachineTimelines;
  /** Live events for `GET /api/v1/events/stream` (`EventLog.subscribe`); without it that route answers 404. */
  subscribe?: (listener: (e: StampedEvent) => void) => () => void;
  /** Source of `GET /metrics`; without it that route answers 404. */
  metrics?: BootfleetMetrics;
  /** `boot.defaultProfile`, to show what each machine boots. */
  defaultProfile: string;
  now?: () => number;
  /** A fresh install token (boot once); default: 32 bytes from the system's CSPRNG. */
  newInstallToken?: () => string;
}

export const API_PREFIX = '/api/v1';

function refused(w: FleetWriteError): ApiResponse {
  switch (w.reason) {
    case 'not-found':
      return apiError(404, 'API_NOT_FOUND', w.message);
    case 'config-owned':
      return apiError(409, 'API_CONFIG_OWNED', w.message);
    case 'unknown-profile':
      return apiError(400, 'API_UNKNOWN_PROFILE', `profile: ${w.message}`, { field: 'profile' });
    case 'in-use':
      return apiError(409, 'API_IN_USE', w.message, { usedBy: w.usedBy });
  }
}

const list = <T extends z.ZodType>(item: T): z.ZodArray<T> => z.array(item);

export function fleetRoutes(deps: ApiDeps): ApiRoute[] {
  const now = deps.now ?? Date.now;
  const { fleet } = deps;
  const newToken = deps.newInstallToken ?? ((): string => installTokenFrom(randomBytes(32)));

  /** Why `machine` (as it would be after a patch) cannot be installed, or null when it can. */
  const noInstaller = async (machine: Machine): Promise<ApiResponse | null> => {
    const r = resolveProfile(machine, { mac: machine.mac }, await fleet.listGroups(), { defaultProfile: deps.defaultProfile });
    const normal = await fleet.getProfile(r.profile);
    if (!normal) return apiError(409, 'API_NO_INSTALLER', `machine ${machine.mac} boots profile ${r.profile}, which does not exist`);
    if (!normal.install) return apiError(409, 'API_NO_INSTALLER', `machine ${machine.mac} boots profile ${r.profile} (${r.why}), which names no install profile`);
    if (!(await fleet.getProfile(normal.install))) return apiError(409, 'API_NO_INSTALLER', `profile ${r.profile} names install profile ${normal.install}, which does not exist`);
    return null;
  };
  /** Marks for install: state installing with a fresh token (the installer's only way back is the boot server). */
  const install = async (mac: string, created: boolean): Promise<ApiResponse> => {
    const w = await fleet.beginInstall(mac, newToken(), now());
    if (!w.ok) return refused(w);
    return { status: created ? 201 : 200, body: machineJson(w.value, await fleet.listGroups(), deps.defaultProfile) };
  };

  const machineOf = async (mac: string): Promise<ApiResponse> => {
    const [m, groups] = await Promise.all([fleet.getMachine(mac), fleet.listGroups()]);
    return m ? { status: 200, body: machineJson(m, groups, deps.defaultProfile) } : apiError(404, 'API_NOT_FOUND', `machine ${mac} does not exist`);
  };

  return [
    defineRoute({
      method: 'GET',
      path: `${API_PREFIX}/machines`,
      role: 'read',
      doc: {
        summary: 'List machines (ordered by MAC)',
        tag: 'machines',
        query: [{ name: 'state', description: 'only machines in this state', schema: { type: 'string', enum: [...machineStates] } }],
        responses: { 200: { description: 'the machines', schema: list(machineOut) } },
      },
      handler: async ({ query }) => {
        const state = query.get('state');
        const wanted = machineStates.find((s) => s === state);
        if (state !== null && wanted === undefined) {
          return apiError(400, 'API_BAD_PARAM', `state: got ${JSON.stringify(state)}, expected one of ${machineStates.join(', ')}`, { field: 'state' });
        }
        const [machines, groups] = await Promise.all([fleet.listMachines(wanted ? { state: wanted } : {}), fleet.listGroups()]);
        return { status: 200, body: machines.map((m) => machineJson(m, groups, deps.defaultProfile)) };
      },
    }),
    defineRoute({
      method: 'GET',
      path: `${API_PREFIX}/machines/{mac}`,
      role: 'read',
      params: { mac: 'mac' },
      doc: { summary: 'One machine, with the profile it boots and why', tag: 'machines', responses: { 200: { description: 'the machine', schema: machineOut } } },
      handler: async ({ params }) => machineOf(params['mac'] ?? ''),
    }),
    defineRoute({
      method: 'PATCH',
      path: `${API_PREFIX}/machines/{mac}`,
      role: 'admin',
      params: { mac: 'mac' },
      body: machinePatchBody,
      doc: {
        summary: 'Change a machine (JSON merge patch: labels merge, null clears); an unknown MAC is created',
        tag: 'machines',
        responses: { 200: { description: 'changed', schema: machineOut }, 201: { description: 'created', schema: machineOut } },
      },
      handler: async ({ params, body }) => {
        const mac = params['mac'] ?? '';
        const patch = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
        if (Object.keys(patch).length === 0) {
          return apiError(400, 'API_BAD_BODY', 'body: empty patch, expected at least one of hostname, labels, profile, state', { field: '', issues: [{ field: '', message: 'empty patch' }] });
        }
        if (patch.state === 'installing') {
          // Boot once: checked on the machine as the patch leaves it, before anything is stored.
          const { state: _state, ...rest } = patch as MachinePatch;
          const had = await fleet.getMachine(mac);
          const after = applyPatch(had ?? newApiMachine(mac, now()), rest, now());
          const why = await noInstaller(after);
          if (why) return why;
          if (Object.keys(rest).length > 0) {
            const w = await fleet.patchMachine(mac, rest, now());
            if (!w.ok) return refused(w);
          } else if (!had) {
            return apiError(404, 'API_NOT_FOUND', `machine ${mac} does not exist`);
          }
          return install(mac, had === null);
        }
        const w = await fleet.patchMachine(mac, patch, now());
        if (!w.ok) return refused(w);
        const groups = await fleet.listGroups();
        return { status: w.created ? 201 : 200, body: machineJson(w.value, groups, deps.defaultProfile) };
      },
    }),
    defineRoute({
      method: 'POST',
      path: `${API_PREFIX}/machines/{mac}/install`,
      role: 'admin',
      params: { mac: 'mac' },
      doc: {
        summary: "Mark a machine for (re)install: it boots its profile's install profile until its installer calls back installed",
        tag: 'machines',
        responses: { 200: { description: 'marked: state installing, with a fresh install token', schema: machineOut } },
      },
      handler: async ({ params }) => {
        const mac = params['mac'] ?? '';
        const machine = await fleet.getMachine(mac);
        if (!machine) return apiError(404, 'API_NOT_FOUND', `machine ${mac} does not exist`);
        return (await noInstaller(machine)) ?? install(mac, false);
      },
    }),
    defineRoute({
      method: 'DELETE',
      path: `${API_PREFIX}/machines/{mac}`,
      role: 'admin',
      params: { mac: 'mac' },
      doc: { summary: 'Forget a machine (it is discovered again when it next boots)', tag: 'machines', responses: { 204: { description: 'deleted' } } },
      handler: async ({ params }) => {
        const w = await fleet.deleteMachine(params['mac'] ?? '');
        return w.ok ? { status: 204 } : refused(w);
      },
    }),

    defineRoute({
      method: 'GET',
      path: `${API_PREFIX}/groups`,
      role: 'read',
      doc: { summary: 'List groups (ordered by name)', tag: 'groups', responses: { 200: { description: 'the groups', schema: list(groupOut) } } },
      handler: async () => ({ status: 200, body: (await fleet.listGroups()).map(groupJson) }),
    }),
    defineRoute({
      method: 'GET',
      path: `${API_PREFIX}/groups/{name}`,
      role: 'read',
      params: { name: 'name' },
      doc: { summary: 'One group', tag: 'groups', responses: { 200: { description: 'the group', schema: groupOut } } },
      handler: async ({ params }) => {
        const g = await fleet.getGroup(params['name'] ?? '');
        return g ? { status: 200, body: groupJson(g) } : apiError(404, 'API_NOT_FOUND', `group ${params['name']} does not exist`);
      },
    }),
    defineRoute({
      method: 'PUT',
      path: `${API_PREFIX}/groups/{name}`,
      role: 'admin',
      params: { name: 'name' },
      body: groupBody,
      doc: {
        summary: 'Create or replace a group',
        tag: 'groups',
        responses: { 200: { description: 'replaced', schema: groupOut }, 201: { description: 'created', schema: groupOut } },
      },
      handler: async ({ params, body }) => {
        const w = await fleet.putGroup({ name: params['name'] ?? '', priority: body.priority, profile: body.profile, selector: body.selector }, now());
        return w.ok ? { status: w.created ? 201 : 200, body: groupJson(w.value) } : refused(w);
      },
    }),
    defineRoute({
      method: 'DELETE',
      path: `${API_PREFIX}/groups/{name}`,
      role: 'admin',
      params: { name: 'name' },
      doc: { summary: 'Delete a group', tag: 'groups', responses: { 204: { description: 'deleted' } } },
      handler: async ({ params }) => {
        const w = await fleet.deleteGroup(params['name'] ?? '');
        return w.ok ? { status: 204 } : refused(w);
      },
    }),

    defineRoute({
      method: 'GET',
      path: `${API_PREFIX}/profiles`,
      role: 'read',
      doc: { summary: 'List profiles (ordered by name)', tag: 'profiles', responses: { 200: { description: 'the profiles', schema: list(profileOut) } } },
      handler: async () => ({ status: 200, body: (await fleet.listProfiles()).map(profileJson) }),
    }),
    defineRoute({
      method: 'GET',
      path: `${API_PREFIX}/profiles/{name}`,
      role: 'read',
      params: { name: 'name' },
      doc: { summary: 'One profile', tag: 'profiles', responses: { 200: { description: 'the profile', schema: profileOut } } },
      handler: async ({ params }) => {
        const p = await fleet.getProfile(params['name'] ?? '');
        return p ? { status: 200, body: profileJson(p) } : apiError(404, 'API_NOT_FOUND', `profile ${params['name']} does not exist`);
      },
    }),
    defineRoute({
      method: 'PUT',
      path: `${API_PREFIX}/profiles/{name}`,
      role: 'admin',
      params: { name: 'name' },
      body: profileBody,
      doc: {
        summary: 'Create or replace a profile (kernel, initrd[], cmdline: the config\'s profile shape)',
        tag: 'profiles',
        responses: { 200: { description: 'replaced', schema: profileOut }, 201: { description: 'created', schema: profileOut } },
      },
      handler: async ({ params, body }) => {
        const name = params['name'] ?? '';
        const problems = checkProfileTemplates(name, body);
        const first = problems[0];
        if (first) {
          return apiError(400, 'API_BAD_TEMPLATE', formatTemplateProblem(first), {
            field: first.field,
            issues: problems.map((p) => ({ field: p.field, message: formatTemplateProblem(p) })),
          });
        }
        const w = await fleet.putProfile({ ...body, name }, now());
        return w.ok ? { status: w.created ? 201 : 200, body: profileJson(w.value) } : refused(w);
      },
    }),
    defineRoute({
      method: 'DELETE',
      path: `${API_PREFIX}/profiles/{name}`,
      role: 'admin',
      params: { name: 'name' },
      doc: { summary: 'Delete a profile no group or machine names', tag: 'profiles', responses: { 204: { description: 'deleted' } } },
      handler: async ({ params }) => {
        const w = await fleet.deleteProfile(params['name'] ?? '');
        return w.ok ? { status: 204 } : refused(w);
      },
    }),

    defineRoute({
      method: 'GET',
      path: `${API_PREFIX}/leases`,
      role: 'read',
      doc: { summary: 'List DHCP leases (ordered by address; read-only)', tag: 'leases', responses: { 200: { description: 'the leases', schema: list(leaseOut) } } },
      handler: async () => ({ status: 200, body: (await deps.leases.list()).map(leaseJson) }),
    }),
    defineRoute({
      method: 'GET',
      path: `${API_PREFIX}/events`,
      role: 'read',
      doc: {
        summary: 'Recent boot events, oldest first (an in-memory window, not a history)',
        tag: 'events',
        query: [
          { name: 'mac', description: 'only events about this MAC', schema: { type: 'string' } },
          { name: 'limit', description: 'at most this many (the most recent), 1 to 1000; default 100', schema: { type: 'integer', minimum: 1, maximum: 1000 } },
        ],
        responses: { 200: { description: 'the events', schema: list(eventOut) } },
      },
      handler: async ({ query }) => {
        const rawLimit = query.get('limit');
        const limit = rawLimit === null ? 100 : Number(rawLimit);
        if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
          return apiError(400, 'API_BAD_PARAM', `limit: got ${JSON.stringify(rawLimit)}, expected a whole number from 1 to 1000`, { field: 'limit' });
        }
        const rawMac = query.get('mac');
        let mac: string | undefined;
        if (rawMac !== null) {
          if (!/^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/.test(rawMac)) {
            return apiError(400, 'API_BAD_PARAM', `mac: got ${JSON.stringify(rawMac)}, expected a MAC address like 52:54:00:12:34:56`, { field: 'mac' });
          }
          mac = rawMac.toLowerCase().replace(/-/g, ':');
        }
        return { status: 200, body: deps.events.recent(mac === undefined ? { limit } : { mac, limit }) };
      },
    }),
  ];
}

/** Shape of every error body, for the OpenAPI description. */
export const errorSchema = errorOut;

