/**
 * The per-machine paths of the HTTP boot server, besides `/boot.ipxe`: what installers fetch and
 * call. These are on the boot network (installers reach nothing else), not on the admin API.
 *
 * | path | method | what |
 * |---|---|---|
 * | `/install/<mac>/done?token=T` | GET, POST | the installer's "installed" callback (boot once) |
 * | `/preseed/<mac>.cfg` | GET | a `debian-installer` profile's preseed |
 * | `/cloud-init/<mac>/meta-data`, `user-data`, `vendor-data` | GET | a `cloud-init` profile's NoCloud seed |
 *
 * `<mac>` is `52-54-00-12-34-56` (as bootfleet writes it) or any form `normalizeMac` reads.
 */
import { normalizeMac } from './request-path.js';

export type MachineFileRequest =
  | { kind: 'install-done'; mac: string; token: string | null }
  | { kind: 'preseed'; mac: string }
  | { kind: 'cloud-init'; mac: string; file: 'meta-data' | 'user-data' | 'vendor-data' };

/**
 * Parses a request path (without its query); null when it is not one of these routes. `query`
 * may be the raw query string: it is parsed only for a callback (most requests are not one).
 */
export function parseMachineFilePath(path: string, query: URLSearchParams | string): MachineFileRequest | null {
  const parts = path.split('/');
  // ['', 'install', mac, 'done'] and so on.
  if (parts[0] !== '') return null;
  const [, area, rawMac, rest, extra] = parts;
  if (extra !== undefined) return null;
  if (area === 'install' && rest === 'done') {
    const mac = normalizeMac(rawMac);
    if (!mac) return null;
    return { kind: 'install-done', mac, token: (typeof query === 'string' ? new URLSearchParams(query) : query).get('token') };
  }
  if (area === 'preseed' && rest === undefined && rawMac?.endsWith('.cfg')) {
    const mac = normalizeMac(rawMac.slice(0, -'.cfg'.length));
    return mac ? { kind: 'preseed', mac } : null;
  }
  if (area === 'cloud-init' && (rest === 'meta-data' || rest === 'user-data' || rest === 'vendor-data')) {
    const mac = normalizeMac(rawMac);
    return mac ? { kind: 'cloud-init', mac, file: rest } : null;
  }
  return null;
}

/** Methods each route answers. */
export function methodsFor(req: MachineFileRequest): readonly string[] {
  // HEAD must not change anything, so the callback does not answer it.
  return req.kind === 'install-done' ? ['GET', 'POST'] : ['GET', 'HEAD'];
}
