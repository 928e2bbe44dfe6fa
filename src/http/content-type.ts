/**
 * Content-Type by file extension. Boot assets are mostly opaque bytes; text types are
 * for what people and installers read (iPXE scripts, PXELINUX/preseed `.cfg`, kickstart,
 * cloud-init). iPXE itself does not care; browsers and curl users do.
 */
const TEXT = 'text/plain; charset=utf-8';
const types: ReadonlyMap<string, string> = new Map([
  ['ipxe', TEXT],
  ['cfg', TEXT],
  ['conf', TEXT],
  ['txt', TEXT],
  ['ks', TEXT],
  ['sh', TEXT],
  ['yaml', TEXT],
  ['yml', TEXT],
  ['json', 'application/json'],
]);

export const OCTET_STREAM = 'application/octet-stream';

export function contentTypeFor(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  if (dot < 0 || dot < fileName.lastIndexOf('/')) return OCTET_STREAM;
  return types.get(fileName.slice(dot + 1).toLowerCase()) ?? OCTET_STREAM;
}
