/**
 * Maps a TFTP file name onto a file under one of the served roots, and never outside them.
 */
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';

export type SanitizedName = { ok: true; name: string } | { ok: false; reason: 'nul' | 'dot-dot' | 'empty' };

/**
 * Turns a requested name into a relative POSIX path, or refuses it.
 * - Backslashes become `/`: Windows PXE clients (WDS `Boot\x64\wdsmgfw.efi`) send them.
 * - Leading `/` are stripped: GRUB and some BIOS ROMs ask for `/grub/grub.cfg`; the name is
 *   always taken relative to the root, like tftpd-hpa's `-s`.
 * - Empty and `.` segments are dropped; any `..` segment is refused outright rather than
 *   resolved, so no amount of `a/../..` can climb.
 * - NUL cannot reach us through the codec, but names also come from configuration and
 *   `virtualFile` callers: refused here too.
 */
export function sanitizeName(requested: string): SanitizedName {
  if (requested.includes('\0')) return { ok: false, reason: 'nul' };
  const segments = requested.replace(/\\/g, '/').split('/').filter((s) => s !== '' && s !== '.');
  if (segments.some((s) => s === '..')) return { ok: false, reason: 'dot-dot' };
  if (segments.length === 0) return { ok: false, reason: 'empty' };
  return { ok: true, name: segments.join('/') };
}

export type Resolved =
  | { kind: 'file'; path: string; size: number }
  | { kind: 'not-found' }
  /** The name exists but resolves (through a symlink) outside its root, or is not readable. */
  | { kind: 'denied' };

/** True when `candidate` is `root` itself or inside it. Both must be real (symlink-free) paths. */
export function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === '' || (rel !== '..' && !rel.startsWith('..' + path.sep) && !path.isAbsolute(rel));
}

/**
 * A directory files are served from. `root` is the user's tree: its symlinks must stay
 * inside it. Extra directories are package-owned (Debian's `ipxe` links
 * /usr/lib/ipxe/ipxe.efi to /boot/ipxe.efi), so their links may lead anywhere.
 */
export interface SearchRoot {
  /** A real (symlink-free) path. */
  dir: string;
  linksMayLeave: boolean;
}

/**
 * Looks `name` (already sanitized) up in each root in turn. Symlinks are followed with
 * `realpath`; unless the root allows it, the target must stay inside the root it was
 * found in, and a name that escapes is denied, not looked up further.
 */
export async function resolveInRoots(name: string, roots: readonly (string | SearchRoot)[]): Promise<Resolved> {
  for (const entry of roots) {
    const root = typeof entry === 'string' ? entry : entry.dir;
    const linksMayLeave = typeof entry !== 'string' && entry.linksMayLeave;
    let real: string;
    try {
      real = await realpath(path.join(root, name));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') continue;
      return { kind: 'denied' };
    }
    if (!linksMayLeave && !isInside(root, real)) return { kind: 'denied' };
    try {
      const st = await stat(real);
      if (!st.isFile()) continue;
      return { kind: 'file', path: real, size: st.size };
    } catch {
      return { kind: 'denied' };
    }
  }
  return { kind: 'not-found' };
}
