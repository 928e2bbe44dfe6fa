/**
 * Carries a BootPlan into a full-mode OFFER/ACK. The plan was decided by `boot/decide.ts`;
 * this file only knows where each kind of plan goes in a DHCP reply.
 */
import type { BootPlan } from '../boot/boot-plan.js';
import type { DhcpPacket } from '../wire/dhcp/packet.js';
import { setString } from '../wire/dhcp/options.js';

const OPTION_VENDOR_CLASS = 60;
const OPTION_TFTP_SERVER = 66;
const OPTION_BOOTFILE = 67;
/** RFC 5071 §5.2, §5.3. */
const OPTION_PXELINUX_CONFIG_FILE = 209;
const OPTION_PXELINUX_PATH_PREFIX = 210;
/** The 128-byte `file` field holds a NUL-terminated name. */
const FILE_FIELD_MAX = 127;

export interface BootReplyContext {
  /** Address of our TFTP/HTTP servers on the client's segment. */
  serverAddress: string;
  /** The client's option 55, in its order (its bytes as sent, or a list). */
  requested: Uint8Array | readonly number[];
}

/**
 * Writes the plan into `reply`: `siaddr`, `file` and options 60/66/67. Boot names stay in
 * the fixed `file` field (gPXE and old PXE ROMs read only that); 66/67 are added only when
 * the client asked for them in option 55, except where the protocol needs them.
 */
export function applyBootPlan(reply: DhcpPacket, plan: BootPlan, ctx: BootReplyContext): void {
  const asked = (code: number): boolean => ctx.requested.includes(code);
  switch (plan.kind) {
    case 'chainload-tftp':
      reply.siaddr = ctx.serverAddress;
      setFile(reply, plan.file, asked(OPTION_BOOTFILE));
      if (asked(OPTION_TFTP_SERVER)) setString(reply.options, OPTION_TFTP_SERVER, ctx.serverAddress);
      if (plan.pxelinux) {
        // Sent unasked: the PXE ROM that makes the request does not know PXELINUX will read them
        // (syslinux doc/pxelinux.txt, "forces the DHCP server to send the PXELINUX-specific options").
        setString(reply.options, OPTION_PXELINUX_CONFIG_FILE, plan.pxelinux.configFile);
        setString(reply.options, OPTION_PXELINUX_PATH_PREFIX, plan.pxelinux.pathPrefix);
      }
      return;
    case 'ipxe-script':
      // iPXE ignores a reply with siaddr 0 and a file name ("Nothing to boot"), even when
      // the file is an HTTP URL (lab notes, pitfall 2).
      reply.siaddr = ctx.serverAddress;
      setFile(reply, plan.url, asked(OPTION_BOOTFILE));
      return;
    case 'uefi-http':
      // UEFI HTTP boot (OVMF) ignores every offer without option 60 "HTTPClient" and reads
      // the URL from option 67 (UEFI spec 2.9 §24.7.2; lab notes).
      setString(reply.options, OPTION_VENDOR_CLASS, 'HTTPClient');
      setFile(reply, plan.url, true);
      return;
    case 'pxe-menu': // option 43 menus are built by the proxy responder (proxy-mode.ts)
    case 'no-boot':
    case 'ignore':
      return;
  }
}

function setFile(reply: DhcpPacket, name: string, alsoOption67: boolean): void {
  const fits = Buffer.byteLength(name, 'utf8') <= FILE_FIELD_MAX;
  if (fits) reply.file = name;
  if (alsoOption67 || !fits) setString(reply.options, OPTION_BOOTFILE, name);
}
