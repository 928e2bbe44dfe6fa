/**
 * What a client gets, decided by `decide()`. Servers carry a plan out; they never decide.
 */
import type { PxeMenu } from './pxe-menu.js';

/**
 * PXELINUX's site options (RFC 5071 §5.2, §5.3). Option 208 (magic) is not needed since
 * PXELINUX 3.55 (syslinux doc/pxelinux.txt), so it is not sent.
 */
export interface PxelinuxOptions {
  /** Option 209: the config file, relative to the path prefix. */
  configFile: string;
  /** Option 210: the path prefix, e.g. `tftp://198.18.0.2/`. */
  pathPrefix: string;
}

export type BootPlan =
  | {
      kind: 'chainload-tftp';
      /** File name as sent in the DHCP `file` field / option 67, fetched from our TFTP server. */
      file: string;
      /** Set when `file` is pxelinux.0: the PXELINUX options the reply carries (RFC 5071). */
      pxelinux?: PxelinuxOptions;
      reason: string;
    }
  | {
      kind: 'ipxe-script';
      /** Absolute http:// URL of the script rendered for this machine. */
      url: string;
      profile: string;
      reason: string;
    }
  | {
      kind: 'uefi-http';
      /** Absolute http:// URL of the EFI binary; the reply echoes option 60 `HTTPClient`. */
      url: string;
      reason: string;
    }
  | {
      /**
       * Show a PXE boot menu (proxy mode, PXE firmware that is not iPXE): option 43 carries the
       * items; the client sends the one chosen back in a boot server REQUEST, whose plan
       * `planForMenuSelection()` gives.
       */
      kind: 'pxe-menu';
      menu: PxeMenu;
      reason: string;
    }
  | {
      /** Answer for an address only (full mode) and offer no boot file. */
      kind: 'no-boot';
      reason: string;
    }
  | {
      /** Say nothing at all (proxy mode for a client we must not boot). */
      kind: 'ignore';
      reason: string;
    };
