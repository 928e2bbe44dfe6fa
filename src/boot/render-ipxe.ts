import type { LinuxProfileConfig } from '../config/schema.js';

export interface IpxeScriptInput {
  mac: string;
  profileName: string;
  profile: LinuxProfileConfig;
  /** e.g. `http://198.18.0.2:8080`: relative kernel/initrd paths are served from here. */
  httpBase: string;
}

export type RenderResult = { ok: true; script: string } | { ok: false; error: string };

/**
 * Renders the iPXE script for one machine. iPXE reads a script line by line, so any line
 * break or control character inside a value would start a new command: such values are
 * refused, not escaped.
 */
export function renderIpxeScript(input: IpxeScriptInput): RenderResult {
  const { profile } = input;
  for (const [key, value] of [
    ['kernel', profile.kernel],
    ['cmdline', profile.cmdline],
    ...profile.initrd.map((i, n) => [`initrd[${n}]`, i] as const),
  ] as const) {
    // eslint-disable-next-line no-control-regex
    if (/[\x00-\x1f\x7f]/.test(value)) {
      return { ok: false, error: `profile ${input.profileName}: ${key} contains a control character` };
    }
  }
  const initrds = profile.initrd.map((i) => resolveUrl(i, input.httpBase));
  // Under UEFI the kernel's EFI stub finds an iPXE-loaded initrd only when the command
  // line names it (initrd=<name>); harmless under BIOS (lab-notes pitfall 6).
  const initrdArgs = initrds.map((u) => `initrd=${baseName(u)}`);
  const cmdline = [...initrdArgs, profile.cmdline].filter((s) => s.length > 0).join(' ');
  const lines = [
    '#!ipxe',
    `# bootfleet: profile ${input.profileName} for ${input.mac}`,
    `kernel ${resolveUrl(profile.kernel, input.httpBase)}${cmdline ? ' ' + cmdline : ''}`,
    ...initrds.map((u) => `initrd ${u}`),
    'boot',
    '',
  ];
  return { ok: true, script: lines.join('\n') };
}

/** A script that tells the operator on the console why nothing boots, then drops to shell. */
export function renderIpxeFailure(mac: string, why: string): string {
  const safe = why.replace(/[^\x20-\x7e]/g, '?').replace(/\$/g, '');
  return ['#!ipxe', `echo bootfleet: ${mac}: ${safe}`, 'sleep 10', 'exit 1', ''].join('\n');
}

function resolveUrl(pathOrUrl: string, base: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(pathOrUrl)) return pathOrUrl;
  const path = pathOrUrl
    .replace(/^\/+/, '')
    .split('/')
    .map((seg) => encodeURIComponent(seg))
    .join('/');
  return `${base}/${path}`;
}

function baseName(url: string): string {
  const noQuery = url.split(/[?#]/)[0] ?? url;
  return decodeURIComponent(noQuery.slice(noQuery.lastIndexOf('/') + 1));
}
