/**
 * Bearer tokens (RFC 6750): who may call the API, and with which role. Tokens come from the
 * config (`api.tokens`) and from `api.tokensFile`. Compared in constant time, by digest, so
 * neither the token's content nor its length leaks through timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { apiTokenSchema, type ApiConfig } from '../config/schema.js';

export type ApiRole = 'read' | 'admin';

export interface ApiToken {
  name: string;
  token: string;
  role: ApiRole;
}

/** Who made a request: the token's name and role (never the token). */
export interface ApiCaller {
  name: string;
  role: ApiRole;
}

export type Authentication = { ok: true; caller: ApiCaller } | { ok: false; why: 'missing' | 'invalid' };

const tokensFileSchema = z.array(apiTokenSchema);

/**
 * Reads the tokens a config names: its `tokens` and those in `tokensFile` (a YAML list of
 * `{name, token, role}`). Throws with the file and the problem when the file is bad.
 */
export function loadApiTokens(api: ApiConfig): ApiToken[] {
  const tokens: ApiToken[] = api.tokens.map((t) => ({ ...t }));
  if (api.tokensFile !== undefined) {
    const file = api.tokensFile;
    let raw: unknown;
    try {
      raw = parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new Error(`api.tokensFile ${file}: ${e instanceof Error ? e.message : String(e)}`);
    }
    const parsed = tokensFileSchema.safeParse(raw ?? []);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      throw new Error(`api.tokensFile ${file}: ${first ? `[${first.path.join('.')}] ${first.message}` : 'not a list of {name, token, role}'}`);
    }
    tokens.push(...parsed.data);
  }
  return tokens;
}

export class TokenTable {
  private readonly entries: { digest: Buffer; caller: ApiCaller }[];

  constructor(tokens: readonly ApiToken[]) {
    this.entries = tokens.map((t) => ({ digest: digest(t.token), caller: { name: t.name, role: t.role } }));
  }

  get size(): number {
    return this.entries.length;
  }

  /** Checks an `Authorization` header value. */
  authenticate(header: string | undefined): Authentication {
    const m = header === undefined ? null : /^Bearer[ ]+([\x21-\x7e]+)[ ]*$/i.exec(header);
    if (!m?.[1]) return { ok: false, why: header === undefined ? 'missing' : 'invalid' };
    const given = digest(m[1]);
    let found: ApiCaller | null = null;
    // Look at every entry, so the time taken does not say which one matched.
    for (const e of this.entries) if (timingSafeEqual(e.digest, given)) found = e.caller;
    return found ? { ok: true, caller: found } : { ok: false, why: 'invalid' };
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
