/**
 * The preseed file of a `debian-installer` profile, served at `/preseed/<mac>.cfg`: the profile's
 * `preseed` template, one debconf directive a line. Values are kept on their line (control
 * characters become spaces, backslashes `_`); `{{ x | shell }}` makes a single-quoted shell word
 * for commands such as `d-i preseed/late_command string in-target …`.
 */
import type { DebianInstallerProfileConfig } from '../config/schema.js';
import { field, rendering, type RenderContext, type Rendered } from './render-fields.js';

export function renderPreseed(spec: DebianInstallerProfileConfig, ctx: RenderContext): Rendered {
  return rendering(() => {
    const body = field(ctx, 'preseed', spec.preseed, 'preseed');
    return body === '' || body.endsWith('\n') ? body : body + '\n';
  });
}
