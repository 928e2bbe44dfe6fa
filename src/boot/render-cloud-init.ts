/**
 * The NoCloud seed of a `cloud-init` profile, served at `/cloud-init/<mac>/{meta-data,user-data,
 * vendor-data}` (the kernel command line names the directory: `ds=nocloud-net;s=<url>`). The
 * profile's data is YAML in the config; its string values are templates rendered raw, and the
 * documents are then written whole by the `yaml` library, which quotes every scalar that needs it.
 * Nothing is ever concatenated into YAML text, so a hostname with a line break or `: ` stays a string.
 */
import { stringify } from 'yaml';
import type { CloudInitProfileConfig } from '../config/schema.js';
import { field, rendering, type RenderContext, type Rendered } from './render-fields.js';

export type CloudInitFile = 'meta-data' | 'user-data' | 'vendor-data';
export const cloudInitFiles: readonly CloudInitFile[] = ['meta-data', 'user-data', 'vendor-data'];

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export function renderCloudInit(spec: CloudInitProfileConfig, file: CloudInitFile, ctx: RenderContext): Rendered {
  return rendering(() => {
    switch (file) {
      case 'meta-data': {
        const hostname = ctx.vars.values['hostname'] ?? '';
        const mac = ctx.vars.values['macHex'] ?? '';
        const extra = renderValues(ctx, 'metaData', spec.metaData);
        return yamlDocument({ 'instance-id': `bootfleet-${mac}`, 'local-hostname': hostname, ...(isMapping(extra) ? extra : {}) }, null);
      }
      case 'user-data':
        return yamlDocument(renderValues(ctx, 'userData', spec.userData), '#cloud-config');
      case 'vendor-data':
        // cloud-init reads an empty vendor-data as none.
        return spec.vendorData === undefined ? '' : yamlDocument(renderValues(ctx, 'vendorData', spec.vendorData), '#cloud-config');
    }
  });
}

/** String leaves rendered as templates (raw: the YAML writer quotes them); keys and other scalars kept. */
function renderValues(ctx: RenderContext, path: string, value: unknown): Json {
  if (typeof value === 'string') return field(ctx, path, value, 'yaml');
  if (Array.isArray(value)) return value.map((v, i) => renderValues(ctx, `${path}[${i}]`, v));
  if (value !== null && typeof value === 'object') {
    const out: { [key: string]: Json } = {};
    for (const [k, v] of Object.entries(value)) out[k] = renderValues(ctx, `${path}.${k}`, v);
    return out;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return value;
  return null;
}

function isMapping(v: Json): v is { [key: string]: Json } {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function yamlDocument(value: Json, header: string | null): string {
  // lineWidth 0: never fold long strings (a folded URL is still one string, but harder to read).
  const body = stringify(value, { lineWidth: 0 });
  return header === null ? body : `${header}\n${body}`;
}
