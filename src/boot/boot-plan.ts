/**
 * What a client gets, decided by `decide()`. Servers carry a plan out; they never decide.
 */
export type BootPlan =
  | {
      kind: 'chainload-tftp';
      /** File name as sent in the DHCP `file` field / option 67, fetched from our TFTP server. */
      file: string;
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
      /** Answer for an address only (full mode) and offer no boot file. */
      kind: 'no-boot';
      reason: string;
    }
  | {
      /** Say nothing at all (proxy mode for a client we must not boot). */
      kind: 'ignore';
      reason: string;
    };
