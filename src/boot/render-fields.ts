/**
 * Pieces every profile renderer shares: rendering one template field, resolving a path under
 * the HTTP root to a URL, and the kernel + initrds + command line of the kinds that boot a kernel.
 */
import { escapeIpxeText } from './templates/escape.js';
import { formatTemplateProblem, renderTemplate, type TemplateProblem, type TemplateTarget, type TemplateVars } from './templates/template.js';

/** What a renderer needs besides the profile. */
export interface RenderContext {
  /** The profile's name (for comments and errors). */
  profileName: string;
  mac: string;
  vars: TemplateVars;
  /** `http://<server>[:port]`: relative paths are served from here. */
  httpBase: string;
  /** `tftp://<server>[:port]`. */
  tftpBase: string;
}

export type Rendered = { ok: true; text: string } | { ok: false; error: string; problem: TemplateProblem | null };

/** A failed render: the message names the profile, field, line and cause. */
export class RenderError extends Error {
  constructor(
    message: string,
    readonly problem: TemplateProblem | null,
  ) {
    super(message);
  }
}

/** Renders one field or throws `RenderError` (renderers catch it once, at their top). */
export function field(ctx: RenderContext, name: string, text: string, target: TemplateTarget): string {
  const r = renderTemplate(text, target, ctx.vars, { profile: ctx.profileName, field: name });
  if (!r.ok) throw new RenderError(formatTemplateProblem(r.problem), r.problem);
  return r.text;
}

/** Runs a renderer body, turning `RenderError` into a result. */
export function rendering(body: () => string): Rendered {
  try {
    return { ok: true, text: body() };
  } catch (err) {
    if (err instanceof RenderError) return { ok: false, error: err.message, problem: err.problem };
    throw err;
  }
}

/** A URL (any scheme, `iscsi:` included) is kept; a path is taken under `base`, each segment percent-encoded. */
export function resolveUnder(pathOrUrl: string, base: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(pathOrUrl)) return pathOrUrl;
  const path = pathOrUrl
    .replace(/^\/+/, '')
    .split('/')
    // Already escaped by the template; encode only what a path segment cannot hold raw.
    .map((seg) => seg.replace(/[^A-Za-z0-9\-._~!*+,=:@%]/g, (c) => encodeURIComponent(c)))
    .join('/');
  return `${base}/${path}`;
}

/** The last path segment of a URL, decoded: what `initrd=` must name under UEFI. */
export function baseName(url: string): string {
  const noQuery = url.split(/[?#]/)[0] ?? url;
  const last = noQuery.slice(noQuery.lastIndexOf('/') + 1);
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

/** x86 COMMAND_LINE_SIZE: the kernel truncates a longer command line silently. */
export const KERNEL_CMDLINE_MAX = 2047;

export interface KernelBoot {
  kernelUrl: string;
  initrdUrls: string[];
  /** The whole command line, `initrd=` names first. */
  cmdline: string;
}

/**
 * Kernel, initrds and command line of a `linux`, `debian-installer` or `cloud-init` profile.
 * `prefix` is the command line the kind adds before the profile's own (already a template).
 */
export function kernelBoot(ctx: RenderContext, spec: { kernel: string; initrd: readonly string[]; cmdline: string }, prefix: string): KernelBoot {
  const kernelUrl = resolveUnder(field(ctx, 'kernel', spec.kernel, 'url'), ctx.httpBase);
  const initrdUrls = spec.initrd.map((i, n) => resolveUnder(field(ctx, `initrd[${n}]`, i, 'url'), ctx.httpBase));
  // Under UEFI the kernel's EFI stub finds an iPXE-loaded initrd only when the command line names
  // it (initrd=<name>); harmless under BIOS (lab-notes pitfall 6).
  const initrdArgs = initrdUrls.map((u) => `initrd=${baseName(u).replace(/[^A-Za-z0-9\-._~+,=:@]/g, '_')}`);
  const own = field(ctx, 'cmdline', spec.cmdline, 'cmdline');
  const kindPart = prefix === '' ? '' : field(ctx, 'cmdline (added by the profile kind)', prefix, 'cmdline');
  const cmdline = [...initrdArgs, kindPart, own].filter((s) => s.trim().length > 0).join(' ');
  if (Buffer.byteLength(cmdline, 'utf8') > KERNEL_CMDLINE_MAX) {
    throw new RenderError(`profile ${ctx.profileName}: cmdline: the kernel command line is ${Buffer.byteLength(cmdline, 'utf8')} bytes, more than the ${KERNEL_CMDLINE_MAX} an x86 kernel keeps`, null);
  }
  return { kernelUrl, initrdUrls, cmdline };
}

/**
 * A script that tells the operator on the console why nothing boots, then leaves iPXE (the
 * firmware tries its next boot device). The reason is reduced to characters that are not iPXE
 * syntax, so no profile name or template text can smuggle a command into it.
 */
export function ipxeFailureScript(mac: string, why: string): string {
  return ['#!ipxe', `echo bootfleet: ${escapeIpxeText(mac)}: ${escapeIpxeText(why)}`, 'sleep 10', 'exit 1', ''].join('\n');
}

/** One comment line naming what the script is for (the name cannot break out of the comment). */
export function ipxeHeader(ctx: RenderContext, kind: string): string[] {
  return ['#!ipxe', `# bootfleet: profile ${escapeIpxeText(ctx.profileName)} (${kind}) for ${escapeIpxeText(ctx.mac)}`];
}
