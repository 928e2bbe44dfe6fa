/**
 * Whole files in memory for TFTP transfers, shared between concurrent readers and kept
 * (least recently used first out) up to a byte budget.
 *
 * A transfer reads its file once, asynchronously, and then sends blocks as views into
 * that buffer, so the per-block path never touches the disk. The buffer is a
 * SharedArrayBuffer, so the transfer threads read it in place, without a copy per transfer. Each acquire re-checks the
 * file's mtime, size and inode (one async `stat`), so an edited file is served fresh.
 */
import { open, stat } from 'node:fs/promises';

export interface FileCacheOptions {
  /** Bytes of idle files kept; files in use are kept regardless. */
  budgetBytes: number;
  /** Files larger than this are refused with {@link FileTooLargeError}. */
  maxFileBytes: number;
}

/** A file held for one transfer; hand it back with {@link FileCache.release}. */
export interface CachedFile {
  readonly path: string;
  readonly data: Buffer;
}

interface Entry extends CachedFile {
  mtimeMs: number;
  ino: number;
  refs: number;
  /** False once replaced by a newer version or evicted: it no longer counts against the budget. */
  listed: boolean;
}

export class FileTooLargeError extends Error {
  constructor(readonly path: string, readonly size: number) {
    super(`${path} is ${size} bytes, over the TFTP file size limit`);
  }
}

export class FileCache {
  readonly stats = { hits: 0, misses: 0, bytes: 0, entries: 0 };
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<Entry>>();

  constructor(private readonly opts: FileCacheOptions) {}

  /** The file's current content, from memory when unchanged on disk. Rejects with fs errors. */
  async acquire(path: string): Promise<CachedFile> {
    const st = await stat(path);
    if (st.size > this.opts.maxFileBytes) throw new FileTooLargeError(path, st.size);
    const cached = this.entries.get(path);
    if (cached && cached.mtimeMs === st.mtimeMs && cached.data.length === st.size && cached.ino === st.ino) {
      this.stats.hits++;
      this.touch(cached);
      cached.refs++;
      return cached;
    }
    if (cached) this.unlist(cached);
    let pending = this.loading.get(path);
    if (!pending) {
      this.stats.misses++;
      pending = this.load(path, st.mtimeMs, st.ino);
      this.loading.set(path, pending);
      void pending.then(
        () => this.loading.delete(path),
        () => this.loading.delete(path),
      );
    } else {
      this.stats.hits++;
    }
    const entry = await pending;
    entry.refs++;
    return entry;
  }

  release(file: CachedFile): void {
    const entry = file as Entry;
    entry.refs = Math.max(0, entry.refs - 1);
    this.evict();
  }

  private async load(path: string, mtimeMs: number, ino: number): Promise<Entry> {
    const data = await readShared(path, this.opts.maxFileBytes);
    const entry: Entry = { path, data, mtimeMs, ino, refs: 0, listed: true };
    const old = this.entries.get(path);
    if (old) this.unlist(old);
    this.entries.set(path, entry);
    this.stats.bytes += data.length;
    this.stats.entries = this.entries.size;
    this.evict();
    return entry;
  }

  private touch(entry: Entry): void {
    this.entries.delete(entry.path);
    this.entries.set(entry.path, entry);
  }

  private unlist(entry: Entry): void {
    if (!entry.listed) return;
    entry.listed = false;
    this.entries.delete(entry.path);
    this.stats.bytes -= entry.data.length;
    this.stats.entries = this.entries.size;
  }

  /** Drops idle entries, oldest first, until the idle and in-use files fit the budget. */
  private evict(): void {
    if (this.stats.bytes <= this.opts.budgetBytes) return;
    for (const entry of this.entries.values()) {
      if (this.stats.bytes <= this.opts.budgetBytes) break;
      // A just-loaded entry has refs 0 until its acquirer takes it; loading.has keeps it.
      if (entry.refs === 0 && !this.loading.has(entry.path)) this.unlist(entry);
    }
  }
}

/**
 * The whole file in a SharedArrayBuffer (shared with the transfer threads, never copied).
 * Sized by fstat on the open file; a file that changes length while being read is read
 * again from the start, once, then refused as unstable.
 */
async function readShared(path: string, maxBytes: number): Promise<Buffer> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const fh = await open(path, 'r');
    try {
      const size = (await fh.stat()).size;
      if (size > maxBytes) throw new FileTooLargeError(path, size);
      const data = Buffer.from(new SharedArrayBuffer(size));
      let at = 0;
      while (at < size) {
        const { bytesRead } = await fh.read(data, at, Math.min(size - at, 8 * 2 ** 20), at);
        if (bytesRead === 0) break;
        at += bytesRead;
      }
      // One byte more than fstat said means the file grew while we read it.
      const extra = await fh.read(Buffer.alloc(1), 0, 1, size);
      if (at === size && extra.bytesRead === 0) return data;
    } finally {
      await fh.close();
    }
  }
  throw Object.assign(new Error(`${path} changed size while being read`), { code: 'EAGAIN' });
}
