/**
 * The iPXE script served at `/boot.ipxe` for a profile of any kind. Every value from the
 * inventory passes through the template escapers (`templates/escape.ts`); the script's own
 * lines are fixed text.
 */
import type { ProfileSpec } from '../fleet/group.js';
import { macDashes } from './templates/template-vars.js';
import { field, ipxeHeader, kernelBoot, rendering, resolveUnder, type RenderContext, type Rendered } from './render-fields.js';

/** What the debian-installer kind puts before the profile's own command line (d-i's "auto" mode). */
export const DEBIAN_INSTALLER_CMDLINE = 'auto=true priority=critical url={{ preseedUrl }}';
/** What the cloud-init kind puts before the profile's own command line (NoCloud over HTTP). */
export const CLOUD_INIT_CMDLINE = 'ds=nocloud-net;s={{ seedUrl }}';

/** Where PXELINUX is fetched from and which config it reads, for the `pxelinux` kind. */
export function pxelinuxPaths(ctx: Pick<RenderContext, 'mac' | 'tftpBase'>): { bootFile: string; configFile: string; pathPrefix: string } {
  return {
    bootFile: 'pxelinux.0',
    // PXELINUX's own second lookup name (after the UUID): 01 is the ARP hardware type of Ethernet.
    configFile: `pxelinux.cfg/01-${macDashes(ctx.mac)}`,
    pathPrefix: `${ctx.tftpBase}/`,
  };
}

export function renderBootScript(spec: ProfileSpec, ctx: RenderContext): Rendered {
  return rendering(() => {
    switch (spec.kind) {
      case undefined:
      case 'linux':
        return kernelScript(ctx, 'linux', kernelBoot(ctx, spec, ''));
      case 'debian-installer':
        return kernelScript(ctx, spec.kind, kernelBoot(ctx, spec, DEBIAN_INSTALLER_CMDLINE));
      case 'cloud-init':
        return kernelScript(ctx, spec.kind, kernelBoot(ctx, spec, CLOUD_INIT_CMDLINE));
      case 'chain': {
        const url = resolveUnder(field(ctx, 'url', spec.url, 'url'), ctx.httpBase);
        return lines([...ipxeHeader(ctx, 'chain'), `chain ${url} || goto bootfleet-failed`, ...failedTail('chaining failed')]);
      }
      case 'sanboot': {
        const rootPath = resolveUnder(field(ctx, 'rootPath', spec.rootPath, 'url'), ctx.httpBase);
        const drive = spec.drive === undefined ? '' : ` --drive 0x${spec.drive.toString(16)}`;
        return lines([
          ...ipxeHeader(ctx, 'sanboot'),
          // keep-san is the setting DHCP option 175.8 sets: the SAN device stays hooked after boot
          // (an OS installing onto an iSCSI disk needs it); the root path is what option 17 would carry.
          ...(spec.keepSan ? ['set keep-san 1'] : []),
          `sanboot${drive} ${rootPath} || goto bootfleet-failed`,
          ...failedTail('sanboot failed'),
        ]);
      }
      case 'local':
        // iPXE returns to the firmware, which boots its next device (the local disk).
        return lines([...ipxeHeader(ctx, 'local'), 'echo bootfleet: booting from the local disk', 'exit']);
      case 'pxelinux': {
        const p = pxelinuxPaths(ctx);
        return lines([
          ...ipxeHeader(ctx, 'pxelinux'),
          // pxelinux.0 is a BIOS program: under UEFI iPXE cannot run it.
          'iseq ${platform} pcbios || goto bootfleet-not-bios',
          // PXELINUX reads options 209 (config file) and 210 (path prefix) from the DHCP packet iPXE
          // hands it (PXENV_GET_CACHED_INFO), which carries iPXE's settings, these included.
          `set 209:string ${p.configFile}`,
          `set 210:string ${p.pathPrefix}`,
          `chain ${p.pathPrefix}${p.bootFile} || goto bootfleet-failed`,
          ':bootfleet-not-bios',
          'echo bootfleet: this profile is a PXELINUX menu, which boots only on BIOS; this client is ${platform}',
          'sleep 10',
          'exit 1',
          ...failedTail('chaining pxelinux.0 failed'),
        ]);
      }
    }
  });
}

function kernelScript(ctx: RenderContext, kind: string, k: { kernelUrl: string; initrdUrls: string[]; cmdline: string }): string {
  return lines([
    ...ipxeHeader(ctx, kind),
    `kernel ${k.kernelUrl}${k.cmdline ? ' ' + k.cmdline : ''} || goto bootfleet-failed`,
    ...k.initrdUrls.map((u) => `initrd ${u} || goto bootfleet-failed`),
    'boot || goto bootfleet-failed',
    ...failedTail('boot failed'),
  ]);
}

function failedTail(what: string): string[] {
  return [':bootfleet-failed', `echo bootfleet: ${what}`, 'sleep 10', 'exit 1'];
}

function lines(ls: string[]): string {
  return ls.join('\n') + '\n';
}
