/**
 * Database rows → fleet objects, for both fleet stores. Rows come from our own tables, but are
 * still checked: a row that does not fit is a bug or a hand edit, and must fail loudly rather
 * than boot a machine wrongly. The stores differ only in how a JSON column arrives (SQLite:
 * text; PostgreSQL jsonb: already parsed), so they pass that reader in.
 */
import { firmwareNames, groupSelectorSchema, labelsSchema, type FirmwareName } from '../config/schema.js';
import type { Group, ObjectSource } from '../fleet/group.js';
import { machineStates, type Machine, type MachineSource } from '../fleet/machine.js';

/** Reads a JSON column as a value. */
export type JsonColumn = (row: unknown, key: string) => unknown;

export function field(row: unknown, key: string): unknown {
  return typeof row === 'object' && row !== null ? (row as Record<string, unknown>)[key] : undefined;
}

export function str(row: unknown, key: string): string {
  const v = field(row, key);
  if (typeof v !== 'string') throw new Error(`fleet row: ${key} is not text`);
  return v;
}

export function strOrNull(row: unknown, key: string): string | null {
  const v = field(row, key);
  return v === null || v === undefined ? null : String(v);
}

/** SQLite gives numbers (or bigints); PostgreSQL bigint columns arrive as text. */
export function num(row: unknown, key: string): number {
  const v = field(row, key);
  const n = typeof v === 'number' || typeof v === 'bigint' ? Number(v) : typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isFinite(n)) throw new Error(`fleet row: ${key} is not a number`);
  return n;
}

export function numOrNull(row: unknown, key: string): number | null {
  const v = field(row, key);
  return v === null || v === undefined ? null : num(row, key);
}

export function oneOf<T extends string>(values: readonly T[], v: string, what: string): T {
  const found = values.find((x) => x === v);
  if (found === undefined) throw new Error(`fleet row: unknown ${what} ${v}`);
  return found;
}

export const objectSources: readonly ObjectSource[] = ['config', 'api'];
const machineSources: readonly MachineSource[] = ['config', 'api', 'dhcp'];

export function toMachine(row: unknown, json: JsonColumn): Machine {
  const firmware = strOrNull(row, 'firmware');
  return {
    mac: str(row, 'mac'),
    uuid: strOrNull(row, 'uuid'),
    hostname: strOrNull(row, 'hostname'),
    labels: labelsSchema.parse(json(row, 'labels')),
    arch: numOrNull(row, 'arch'),
    firmware: firmware === null ? null : oneOf<FirmwareName>(firmwareNames, firmware, 'firmware'),
    firstSeen: numOrNull(row, 'first_seen'),
    lastSeen: numOrNull(row, 'last_seen'),
    lastIp: strOrNull(row, 'last_ip'),
    state: oneOf(machineStates, str(row, 'state'), 'state'),
    profile: strOrNull(row, 'profile'),
    source: oneOf(machineSources, str(row, 'source'), 'source'),
    updatedAt: num(row, 'updated_at'),
  };
}

export function toGroup(row: unknown, json: JsonColumn): Group {
  return {
    name: str(row, 'name'),
    priority: num(row, 'priority'),
    profile: str(row, 'profile'),
    selector: groupSelectorSchema.parse(json(row, 'selector')),
    source: oneOf(objectSources, str(row, 'source'), 'source'),
    updatedAt: num(row, 'updated_at'),
  };
}
