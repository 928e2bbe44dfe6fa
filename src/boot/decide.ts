import type { BootfleetConfig } from '../config/schema.js';
import type { BootPlan } from './boot-plan.js';
import { ClientArch, type ClientFacts } from './client-facts.js';
import { profileFor } from './profile-for.js';
import { pxeMenuFor } from './pxe-menu.js';
import { pxelinuxPaths } from './render-boot-script.js';

export interface DecideContext {
  mode: 'full' | 'proxy';
  /** Address clients reach our TFTP and HTTP servers at, on the segment the request came from. */
  serverAddress: string;
  httpPort: number;
  config: BootfleetConfig;
}

/**
 * The whole boot policy: what this client gets. Pure and synchronous so it is a table
 * test and `bootfleet explain` can show it without a network.
 *
 * The chainload loop guard is the first rule: a client that is already iPXE is given
 * the HTTP script, never an iPXE binary again.
 */
export function decide(facts: ClientFacts, ctx: DecideContext): BootPlan {
  const boot = ctx.config.boot;
  const nothing = (reason: string): BootPlan =>
    // In proxy mode the LAN's DHCP server gives the address: a client we will not boot
    // must hear nothing from us. In full mode it still gets its address.
    ctx.mode === 'proxy' ? { kind: 'ignore', reason } : { kind: 'no-boot', reason };

  switch (facts.firmware) {
    case 'ipxe': {
      const profile = profileFor(facts, ctx.config);
      if (facts.ipxe && !facts.ipxe.http) {
        return nothing('iPXE without the HTTP feature (175.19 absent): cannot fetch the boot script');
      }
      return {
        kind: 'ipxe-script',
        url: `${httpBase(ctx)}/boot.ipxe?mac=${facts.mac}`,
        profile: profile.name,
        reason: `client is ${facts.gpxe ? 'gPXE' : 'iPXE'} (${facts.ipxe?.codes.length ? 'option 175' : 'user class'}): break the chainload loop with the HTTP script; profile ${profile.name} (${profile.why})`,
      };
    }
    case 'uefi-http': {
      const file = facts.arch === ClientArch.EfiArm64Http ? boot.arm64 : boot.uefi;
      if (!file) return nothing(`UEFI HTTP boot arch ${facts.arch ?? 'unknown'}: no binary configured (boot.arm64)`);
      return {
        kind: 'uefi-http',
        url: `${httpBase(ctx)}/${file}`,
        reason: `UEFI HTTP boot (arch ${facts.arch ?? 'unknown'}, vendor class HTTPClient): fetch ${file} over HTTP`,
      };
    }
    case 'bios-pxe':
    case 'uefi-pxe': {
      // Menus are shown by PXE firmware only: iPXE got here by choosing an item already.
      // Full mode has no boot server port (4011) to receive the choice, so menus are proxy-only.
      const menu = ctx.mode === 'proxy' ? pxeMenuFor(facts.arch, ctx.config) : null;
      if (menu) {
        return { kind: 'pxe-menu', menu, reason: `PXE firmware arch ${facts.arch ?? 'absent'}: boot.menu has ${menu.entries.length} item(s) for it` };
      }
      if (facts.firmware === 'bios-pxe') {
        // A PXELINUX profile: the PXE ROM loads pxelinux.0 itself, no iPXE in between. Decided from
        // the config's fleet (profileFor); a machine given such a profile only through the API goes
        // the iPXE way, whose script chains pxelinux.0 with the same options.
        const profile = profileFor(facts, ctx.config);
        if (ctx.config.profiles[profile.name]?.kind === 'pxelinux') {
          const p = pxelinuxPaths({ mac: facts.mac, tftpBase: `tftp://${ctx.serverAddress}${ctx.config.tftp.port === 69 ? '' : `:${ctx.config.tftp.port}`}` });
          return {
            kind: 'chainload-tftp',
            file: p.bootFile,
            pxelinux: { configFile: p.configFile, pathPrefix: p.pathPrefix },
            reason: `legacy BIOS PXE (arch ${facts.arch ?? 'absent'}), profile ${profile.name} is a PXELINUX menu: chainload ${p.bootFile}`,
          };
        }
        return { kind: 'chainload-tftp', file: boot.bios, reason: `legacy BIOS PXE (arch ${facts.arch ?? 'absent'}): chainload ${boot.bios}` };
      }
      const byArch: Record<number, string | null> = {
        [ClientArch.EfiX64]: boot.uefi,
        [ClientArch.EfiBc]: boot.uefi,
        [ClientArch.EfiIa32]: boot.uefiIa32,
        [ClientArch.EfiArm64]: boot.arm64,
      };
      const file = facts.arch !== null ? byArch[facts.arch] : undefined;
      if (file === undefined) return nothing(`unknown client arch ${facts.arch ?? 'absent'}: no binary is known to fit it`);
      if (file === null) return nothing(`UEFI arch ${facts.arch}: no binary configured for it`);
      return { kind: 'chainload-tftp', file, reason: `UEFI PXE arch ${facts.arch}: chainload ${file}` };
    }
    case 'os':
      return nothing('not a network-boot client (no PXEClient/HTTPClient vendor class, not iPXE)');
  }
}

function httpBase(ctx: DecideContext): string {
  return ctx.httpPort === 80 ? `http://${ctx.serverAddress}` : `http://${ctx.serverAddress}:${ctx.httpPort}`;
}
