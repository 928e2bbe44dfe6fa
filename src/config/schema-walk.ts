import type { z } from 'zod';
import type { ConfigPath } from './yaml-locate.js';

type AnySchema = z.core.$ZodType;

/** Strips default/optional/nullable/pipe wrappers down to the schema that checks the value. */
function unwrap(schema: AnySchema): AnySchema {
  let current = schema;
  for (let guard = 0; guard < 16; guard++) {
    const def = current._zod.def;
    if ('innerType' in def && def.innerType) current = def.innerType as AnySchema;
    else if (def.type === 'pipe' && 'in' in def) current = def.in as AnySchema;
    else break;
  }
  return current;
}

/**
 * The schema that validates the value at `path` (wrappers kept, so `.describe()` text
 * on them is visible), or null when the path leaves the schema.
 */
export function schemaAt(root: AnySchema, path: ConfigPath): AnySchema | null {
  let current: AnySchema = root;
  for (const segment of path) {
    const def = unwrap(current)._zod.def;
    let next: unknown;
    if (def.type === 'object' && 'shape' in def && typeof segment === 'string') next = (def.shape as Record<string, unknown>)[segment];
    // A union of objects (profile kinds): the first option that has the key.
    else if (def.type === 'union' && 'options' in def && typeof segment === 'string') next = objectOptions(def.options).map((shape) => shape[segment]).find((s) => s !== undefined);
    else if (def.type === 'array' && 'element' in def) next = def.element;
    else if (def.type === 'record' && 'valueType' in def) next = def.valueType;
    if (!next) return null;
    current = next as AnySchema;
  }
  return current;
}

/**
 * Keys an object schema at `path` accepts, in declaration order; empty when not an object. For a
 * discriminated union (profile kinds), `value` (the mapping found there) picks the option by its
 * discriminator; without it, the keys of every option.
 */
export function knownKeysAt(root: AnySchema, path: ConfigPath, value?: unknown): string[] {
  const schema = schemaAt(root, path);
  if (!schema) return [];
  const def = unwrap(schema)._zod.def;
  if (def.type === 'union' && 'options' in def) {
    let shapes = objectOptions(def.options);
    const disc = 'discriminator' in def && typeof def.discriminator === 'string' ? def.discriminator : null;
    if (disc !== null && value !== null && typeof value === 'object') {
      const chosen = (value as Record<string, unknown>)[disc];
      const picked = shapes.filter((shape) => literalAccepts(shape[disc], chosen));
      if (picked.length > 0) shapes = picked;
    }
    return [...new Set(shapes.flatMap((shape) => Object.keys(shape)))];
  }
  return def.type === 'object' && 'shape' in def ? Object.keys(def.shape as object) : [];
}

/** Whether a (possibly optional) literal schema accepts `v` (an absent discriminator when it is optional). */
function literalAccepts(schema: unknown, v: unknown): boolean {
  if (!schema) return false;
  const s = schema as AnySchema;
  if (v === undefined) return s._zod.def.type === 'optional';
  const def = unwrap(s)._zod.def;
  return def.type === 'literal' && 'values' in def && Array.isArray(def.values) && def.values.includes(v);
}

/** The shapes of a union's object options. */
function objectOptions(options: unknown): Record<string, unknown>[] {
  if (!Array.isArray(options)) return [];
  return options.flatMap((o: AnySchema) => {
    const def = unwrap(o)._zod.def;
    return def.type === 'object' && 'shape' in def ? [def.shape as Record<string, unknown>] : [];
  });
}

/** The `.describe()` text on the schema at `path`, if any. */
export function descriptionAt(root: AnySchema, path: ConfigPath): string | undefined {
  const schema = schemaAt(root, path);
  if (!schema) return undefined;
  const described = schema as AnySchema & { description?: string };
  return described.description ?? (unwrap(schema) as AnySchema & { description?: string }).description;
}
