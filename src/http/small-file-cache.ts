import type { Stats } from 'node:fs';

/** A file's bytes and the validators that say whether they are still current. */
export interface CachedBody {
  body: Buffer;
  ino: number;
  size: number;
  mtimeMs: number;
}

/**
 * Bodies of small, often-fetched files (iPXE binaries, scripts and menus, preseed
 * files), so a fleet booting at once does not open and read the same file hundreds of
 * times. Kernels, initrds and ISOs are larger than an entry may be and always stream
 * from disk. An entry
 * counts only while the file's inode, size and mtime are unchanged. Least recently
 * used entries go first once `maxTotalBytes` is reached.
 */
export class SmallFileCache {
  private readonly entries = new Map<string, CachedBody>();
  private totalBytes = 0;

  constructor(
    readonly maxEntryBytes: number,
    readonly maxTotalBytes: number,
  ) {}

  /** Whether a file of this size is worth reading whole and keeping. */
  accepts(size: number): boolean {
    return size <= this.maxEntryBytes && size <= this.maxTotalBytes;
  }

  get(realPath: string, stat: Stats): Buffer | undefined {
    const entry = this.entries.get(realPath);
    if (!entry) return undefined;
    if (entry.ino !== stat.ino || entry.size !== stat.size || entry.mtimeMs !== stat.mtimeMs) {
      this.delete(realPath);
      return undefined;
    }
    // Re-insert to mark as most recently used (Map keeps insertion order).
    this.entries.delete(realPath);
    this.entries.set(realPath, entry);
    return entry.body;
  }

  set(realPath: string, stat: Stats, body: Buffer): void {
    if (!this.accepts(body.length) || body.length !== stat.size) return;
    this.delete(realPath);
    this.entries.set(realPath, { body, ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs });
    this.totalBytes += body.length;
    for (const [key, entry] of this.entries) {
      if (this.totalBytes <= this.maxTotalBytes) break;
      this.entries.delete(key);
      this.totalBytes -= entry.body.length;
    }
  }

  get bytes(): number {
    return this.totalBytes;
  }

  private delete(realPath: string): void {
    const old = this.entries.get(realPath);
    if (!old) return;
    this.entries.delete(realPath);
    this.totalBytes -= old.body.length;
  }
}
