/**
 * What a fetched file is to a network boot, by its name: a program that boots next and asks
 * DHCP again (iPXE), a part of PXELINUX, a script, or the payload (kernel, initrd, ISO, …).
 */
export type FileRole = 'ipxe-loader' | 'pxelinux' | 'script' | 'payload';

const IPXE_LOADER = /(^|\/)(undionly\.kk?pxe|ipxe\.pxe|ipxe\.efi|snponly\.efi|snp\.efi|ipxe\.lkrn)$/;
// pxelinux.0 and its modules for BIOS, syslinux.efi and ldlinux.e64/.e32 for UEFI, and the config files it tries.
const PXELINUX = /(^|\/)(l?pxelinux\.0|syslinux\.efi|ldlinux\.(c32|e32|e64)|[^/]+\.c32|pxelinux\.cfg\/[^/]*)$/;
const SCRIPT = /(^|\/)[^/]+\.ipxe$/;

export function fileRole(path: string): FileRole {
  const p = path.split('?')[0] ?? path;
  if (IPXE_LOADER.test(p)) return 'ipxe-loader';
  if (PXELINUX.test(p)) return 'pxelinux';
  if (SCRIPT.test(p)) return 'script';
  return 'payload';
}
