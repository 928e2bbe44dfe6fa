/**
 * From what the last attempt did (`BootFacts`, read by `diagnose.ts`) to one verdict: the
 * furthest link reached decides, in boot order from the end back. What bootfleet cannot see —
 * a kernel running, an iSCSI boot past its script, a local disk, a chain to another server, the
 * LAN's own DHCP server in proxy mode — is said as such, never reported as a failure.
 */
import type { BootStage } from './diagnose.js';

export interface BootFacts {
  stage: BootStage;
  /** The first failure that stopped the attempt (failures after the payload do not count). */
  problem: { summary: string; hint: string } | null;
  /** Full mode: the address offered to the firmware. */
  offered: string | null;
  /** The firmware's address and boot plan: our ACK (full mode), or a proxy reply naming a file. */
  acked: { ip: string | null; boot: string; reason: string; proxy: boolean } | null;
  proxyOffered: boolean;
  menuOffered: boolean;
  menuLocal: boolean;
  otherServer: string | null;
  bootFile: string | null;
  ipxeLoader: string | null;
  /** The first PXELINUX file fetched (pxelinux.0, a module or a config). */
  pxelinux: string | null;
  ipxeAddress: boolean;
  /** The boot script, or the PXELINUX config made for a profile. */
  script: { profile: string; kind: string } | null;
  /**
   * A script fetched as a file (`*.ipxe`): a static one (a dnsmasq `dhcp-boot` URL, a menu) has
   * no `http.script` event of its own.
   */
  scriptFile: string | null;
  /** The last file asked for over TFTP whose transfer has not completed (null once one has). */
  tftpPending: string | null;
  /** Files past loaders and scripts: kernel, initrd, ISO reads, … once each. */
  payload: Set<string>;
  /** The booted system ran its own DHCP afterwards. */
  osDhcp: boolean;
  installed: boolean;
}

export interface Verdict {
  ok: boolean;
  summary: string;
  hint: string | null;
}

const done = (summary: string): Verdict => ({ ok: true, summary, hint: null });
const stuck = (summary: string, hint: string): Verdict => ({ ok: false, summary, hint });

export function verdictOf(mac: string, f: BootFacts): Verdict {
  if (f.installed) return done('installed: the installer reported back, and the machine boots its normal profile from now on');
  if (f.payload.size > 0) {
    const after = f.osDhcp ? '; the booted system then asked DHCP for its own address' : '';
    return done(`booted as far as bootfleet can see: fetched ${[...f.payload].join(', ')}${after}; what the kernel does next is not visible from here`);
  }
  if (f.problem !== null) return stuck(f.problem.summary, f.problem.hint);
  // The last link started and did not end: whatever came before it (a script, a loader) worked.
  if (f.tftpPending !== null) {
    return stuck(
      `asked for ${f.tftpPending} over TFTP, but the transfer never completed`,
      'a TFTP transfer runs on a second UDP port: a firewall that lets port 69 through but not the transfer ports stops it here, as does a block size above the path MTU (set tftp.maxBlksize: 1468); EDK2 ends its first try itself after learning the size (tftp.abort), and should ask again at once',
    );
  }
  if (f.script !== null) {
    const { profile, kind } = f.script;
    // These kinds hand the machine to something bootfleet does not serve: silence after the script is expected.
    if (kind === 'local') return done(`told to boot from its local disk (profile ${profile})`);
    if (kind === 'sanboot') return done(`handed to its SAN target (profile ${profile}); an iSCSI boot goes past bootfleet from here`);
    if (kind === 'chain') return done(`chained to another script (profile ${profile}); if that is on another server, its steps are not visible from here`);
    if (kind === 'pxelinux') {
      return stuck(
        `PXELINUX got its config (profile ${profile}) but loaded no kernel`,
        "the menu's default is local boot, it waits at the prompt, or the kernel path in an entry is wrong (its tftp.error would show): watch the console",
      );
    }
    return stuck(
      `iPXE got its script (profile ${profile}, kind ${kind}) but fetched nothing after it`,
      'the URLs in the script are not reachable from the machine, or the profile boots something bootfleet does not serve: `curl` the script for this MAC and try its URLs',
    );
  }
  if (f.scriptFile !== null) {
    return stuck(
      `iPXE fetched its script ${f.scriptFile} but fetched nothing after it`,
      'the URLs in the script are not reachable from the machine, or it boots something bootfleet does not serve: `curl` the script and try its URLs',
    );
  }
  if (f.menuLocal) return done('chose local boot from the PXE menu');
  if (f.ipxeAddress) {
    return stuck('iPXE has an address but never asked for its boot script', `the HTTP port is blocked between machine and server, or option 67 for iPXE points elsewhere (\`bootfleet explain --mac ${mac} --ipxe\`)`);
  }
  if (f.ipxeLoader !== null) {
    return stuck(
      `the firmware fetched ${f.ipxeLoader} but iPXE never asked for an address`,
      "the binary does not suit this firmware (BIOS needs undionly.kpxe, UEFI ipxe.efi or snponly.efi; see the DISCOVER's arch above) or it stopped before DHCP: watch the console",
    );
  }
  if (f.pxelinux !== null) {
    return stuck(
      `PXELINUX started (fetched ${f.pxelinux}) but found no config for this machine and loaded no kernel`,
      'only profiles of kind pxelinux get pxelinux.cfg/01-<mac>; otherwise put a pxelinux.cfg/default in the TFTP root (its tftp.request steps list every name it tried)',
    );
  }
  if (f.acked !== null) {
    if (f.acked.boot === 'no-boot' || f.acked.boot === 'ignore' || f.acked.boot === '') {
      return stuck(`got address ${f.acked.ip ?? '?'} but no boot file: ${f.acked.reason || 'no boot plan'}`, `this is the boot decision for this machine: \`bootfleet explain --mac ${mac}\` shows it; a machine that should boot needs a profile (group, or its own)`);
    }
    const what = f.acked.proxy ? `bootfleet's proxy reply named ${f.bootFile ?? f.acked.boot}` : `got address ${f.acked.ip ?? '?'} and boot plan ${f.acked.boot}${f.bootFile !== null ? ` (${f.bootFile})` : ''}`;
    const blocked = 'TFTP (UDP 69 and the transfer ports) or HTTP is blocked between machine and server, `next-server` (siaddr) points elsewhere, or the firmware gave up waiting';
    return stuck(
      `${what}, but it never asked bootfleet for the file`,
      f.acked.proxy ? `first the LAN's DHCP server: the firmware boots only with an address from it as well (not visible from here); then ${blocked}` : blocked,
    );
  }
  if (f.menuOffered) {
    return stuck(
      'bootfleet offered its PXE menu, but no item came back',
      'the menu may still wait at its prompt; UEFI sends its choice to UDP 4011, which a firewall must let through; and the LAN\'s DHCP server must have given an address (not visible from here)',
    );
  }
  if (f.proxyOffered) {
    return stuck(
      'bootfleet sent its proxy offer, but the machine never came back for its boot file (whether the LAN\'s DHCP server gave it an address is not visible from here)',
      "first the LAN's DHCP server: PXE firmware boots only with an address from it as well; then UDP 4011 (UEFI asks there) and TFTP between machine and server",
    );
  }
  if (f.otherServer !== null) {
    return stuck(
      `it took the offer of another DHCP server (${f.otherServer}) instead of ours`,
      "two DHCP servers on one segment: run bootfleet in proxy mode beside the LAN's server, or stop the other one from answering this segment",
    );
  }
  if (f.offered !== null) {
    return stuck(
      `offered ${f.offered} but the client never asked for it`,
      "the OFFER did not reach it (a relay that does not forward replies, or a broadcast filtered on the way), or it preferred another server's offer that bootfleet never saw",
    );
  }
  return stuck('its DISCOVER reached bootfleet, but no OFFER was sent', `see the steps above and the server log for this MAC; \`bootfleet explain --mac ${mac}\` shows the boot decision`);
}
