/**
 * An in-memory file system for loader tests: paths map to file texts; a directory is any
 * path prefix ending in `/`.
 */
import type { ConfFs } from './load.js';

function notFound(p: string): Error {
  return Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });
}

/** A ConfFs holding exactly `files` (absolute paths → text). */
export function memoryFs(files: Readonly<Record<string, string>>): ConfFs {
  return {
    readText(file) {
      const t = files[file];
      if (t === undefined) throw notFound(file);
      return t;
    },
    listDir(dir) {
      const prefix = dir.endsWith('/') ? dir : `${dir}/`;
      const names = new Set<string>();
      for (const p of Object.keys(files)) {
        if (p.startsWith(prefix)) names.add(p.slice(prefix.length).split('/')[0] as string);
      }
      if (names.size === 0) throw notFound(dir);
      return [...names];
    },
    isFile: (file) => files[file] !== undefined,
    identity: (file) => file,
  };
}
