/**
 * A `pxelinux` profile as a PXELINUX config file (syslinux.cfg(5) syntax), served over TFTP as
 * `pxelinux.cfg/01-<mac>` (and `default`). Labels are checked at load time (one word); menu
 * text is one line; kernel, initrd and append values are escaped like a kernel command line.
 */
import type { PxelinuxProfileConfig } from '../config/schema.js';
import { escapePxelinuxText } from './templates/escape.js';
import { field, KERNEL_CMDLINE_MAX, RenderError, rendering, type RenderContext, type Rendered } from './render-fields.js';

export function renderPxelinuxConfig(spec: PxelinuxProfileConfig, ctx: RenderContext): Rendered {
  return rendering(() => {
    const defaultLabel = spec.default ?? spec.entries[0]?.label ?? '';
    if (!spec.entries.some((e) => e.label === defaultLabel)) {
      throw new RenderError(`profile ${ctx.profileName}: default: "${defaultLabel}" names no entry (entries: ${spec.entries.map((e) => e.label).join(', ')})`, null);
    }
    const out = [`# bootfleet: profile ${escapePxelinuxText(ctx.profileName)} for ${escapePxelinuxText(ctx.mac)}`];
    if (spec.menuTitle !== undefined) {
      // A menu waits for TIMEOUT (tenths of a second); TIMEOUT 0 would wait forever.
      out.push('UI menu.c32', `MENU TITLE ${field(ctx, 'menuTitle', spec.menuTitle, 'pxelinux-text')}`, `TIMEOUT ${Math.max(spec.timeout, 1)}`);
    } else if (spec.timeout > 0) {
      out.push('PROMPT 1', `TIMEOUT ${spec.timeout}`);
    } else {
      // No prompt, no timeout: boot the default at once.
      out.push('PROMPT 0');
    }
    out.push(`DEFAULT ${defaultLabel}`);
    spec.entries.forEach((e, i) => {
      const at = `entries[${i}]`;
      out.push('', `LABEL ${e.label}`);
      if (e.menuLabel !== undefined) out.push(`  MENU LABEL ${field(ctx, `${at}.menuLabel`, e.menuLabel, 'pxelinux-text')}`);
      out.push(`  KERNEL ${field(ctx, `${at}.kernel`, e.kernel, 'cmdline')}`);
      if (e.initrd.length > 0) out.push(`  INITRD ${e.initrd.map((x, n) => field(ctx, `${at}.initrd[${n}]`, x, 'cmdline').replace(/,/g, '_')).join(',')}`);
      const append = field(ctx, `${at}.append`, e.append, 'cmdline');
      if (Buffer.byteLength(append, 'utf8') > KERNEL_CMDLINE_MAX) {
        throw new RenderError(`profile ${ctx.profileName}: ${at}.append: ${Buffer.byteLength(append, 'utf8')} bytes, more than the ${KERNEL_CMDLINE_MAX} an x86 kernel keeps`, null);
      }
      if (append.trim() !== '') out.push(`  APPEND ${append}`);
    });
    return out.join('\n') + '\n';
  });
}
