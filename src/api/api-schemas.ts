/**
 * Request bodies (validated) and response shapes (documented in the OpenAPI description).
 * Bodies reuse the config's schemas, so a profile or group means the same in YAML and JSON.
 */
import { z } from 'zod';
import { apiErrorCodes } from './api-errors.js';
import {
  chainProfileSchema,
  cloudInitProfileSchema,
  debianInstallerProfileSchema,
  firmwareNames,
  groupSchema,
  groupSelectorSchema,
  labelsSchema,
  linuxProfileSchema,
  localProfileSchema,
  profileSchema,
  pxelinuxProfileSchema,
  sanbootProfileSchema,
} from '../config/schema.js';
import { machineStates } from '../fleet/machine.js';

const hostname = z
  .string()
  .max(253)
  .regex(/^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/, 'a host name like db-1 or db-1.lab.example');

/** PATCH /machines/{mac}: JSON merge patch (RFC 7396); `labels` merges key by key, null removes. */
export const machinePatchBody = z
  .object({
    hostname: hostname.nullable().optional(),
    labels: z.record(labelsSchema.keyType, labelsSchema.valueType.nullable()).optional(),
    profile: z.string().min(1).nullable().optional(),
    state: z.enum(machineStates).optional(),
  })
  .strict();

/** PUT /groups/{name}: the config's group, name from the path. */
export const groupBody = groupSchema;
/** PUT /profiles/{name}: the config's profile, name from the path. */
export const profileBody = profileSchema;

const time = z.string().describe('ISO 8601 time');
const source = z.enum(['config', 'api']);

export const machineOut = z.object({
  mac: z.string(),
  uuid: z.string().nullable(),
  hostname: z.string().nullable(),
  labels: z.record(z.string(), z.string()),
  arch: z.number().int().nullable(),
  firmware: z.enum(firmwareNames).nullable(),
  firstSeen: time.nullable(),
  lastSeen: time.nullable(),
  lastIp: z.string().nullable(),
  state: z.enum(machineStates),
  profile: z.string().nullable().describe('its own profile (beats every group)'),
  source: z.enum(['config', 'api', 'dhcp']),
  updatedAt: time,
  boot: z
    .object({ profile: z.string(), by: z.enum(['machine', 'group', 'default']), group: z.string().nullable(), why: z.string() })
    .describe('the profile it boots now, from its record (live request facts may differ)'),
});

export const groupOut = z.object({
  name: z.string(),
  priority: z.number().int(),
  profile: z.string(),
  selector: groupSelectorSchema,
  source,
  updatedAt: time,
});

const profileMeta = { name: z.string(), source, updatedAt: time };

/** A profile as stored: its kind's fields (the config's shape) with its name and stamps. */
export const profileOut = z.discriminatedUnion('kind', [
  linuxProfileSchema.extend(profileMeta),
  pxelinuxProfileSchema.extend(profileMeta),
  chainProfileSchema.extend(profileMeta),
  sanbootProfileSchema.extend(profileMeta),
  localProfileSchema.extend(profileMeta),
  debianInstallerProfileSchema.extend(profileMeta),
  cloudInitProfileSchema.extend(profileMeta),
]);

export const leaseOut = z.object({
  address: z.string(),
  clientId: z.string().nullable(),
  mac: z.string().nullable(),
  state: z.enum(['offered', 'bound', 'released', 'expired', 'declined']),
  expiresAt: time,
  hostname: z.string().nullable(),
  updatedAt: time,
});

export const eventOut = z.object({
  time,
  kind: z.string(),
  level: z.enum(['debug', 'info', 'warn', 'error']),
  mac: z.string().optional(),
  msg: z.string(),
  data: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
});

export const doctorOut = z.object({
  mac: z.string(),
  stage: z.enum(['unseen', 'dhcp', 'address', 'boot-file', 'ipxe', 'script', 'kernel', 'installed']),
  ok: z.boolean(),
  summary: z.string(),
  hint: z.string().nullable(),
  steps: z.array(z.object({ time, kind: z.string(), ok: z.boolean(), says: z.string() })),
  lastHeard: time.nullable(),
});

export const errorOut = z.object({
  error: z.object({
    code: z.enum(apiErrorCodes),
    message: z.string(),
    field: z.string().optional(),
    issues: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
    usedBy: z.array(z.string()).optional(),
  }),
});
