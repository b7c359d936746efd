import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface StoredBlob {
  path: string;
  size: number;
}

/** Raised by `putStream` when the source goes past its byte cap; nothing is stored. */
export class BlobTooLarge extends Error {
  constructor(readonly maxBytes: number) {
    super(`blob exceeds ${maxBytes} bytes`);
  }
}

export interface BlobStore {
  put(key: string, bytes: Buffer): Promise<void>;
  /** Streams `source` into the blob, never holding it whole; returns its size. Throws BlobTooLarge past `maxBytes`. */
  putStream(key: string, source: Readable, maxBytes: number): Promise<number>;
  /** Copies a blob without reading it into memory; false when `fromKey` is gone. */
  copy(fromKey: string, toKey: string): Promise<boolean>;
  read(key: string): Promise<Buffer | null>;
  stat(key: string): Promise<StoredBlob | null>;
  deletePrefix(prefix: string): Promise<void>;
  /** The names directly under `prefix` (`inputs` → generation ids). */
  listChildren(prefix: string): Promise<string[]>;
  /** Removes what killed writes leave: temp files and empty folders last changed before `before` (epoch ms). */
  sweepDebris(before: number): Promise<number>;
}

const TEMP = /\.[0-9a-f]{12}\.tmp$/;

const KEY = /^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*$/i;

export function isBlobKey(key: string): boolean {
  return KEY.test(key) && !key.split('/').some((part) => part === '.' || part === '..');
}

/** Blobs as files under `<dataDir>/blobs`. Writes are atomic (temp file + rename). */
export class LocalBlobStore implements BlobStore {
  constructor(private readonly root: string) {
    fs.mkdirSync(root, { recursive: true });
  }

  private file(key: string): string {
    if (!isBlobKey(key)) throw new Error(`invalid blob key: ${key}`);
    return path.join(this.root, key);
  }

  async put(key: string, bytes: Buffer): Promise<void> {
    const file = this.file(key);
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    await fs.promises.writeFile(temp, bytes);
    await fs.promises.rename(temp, file);
  }

  async putStream(key: string, source: Readable, maxBytes: number): Promise<number> {
    const file = this.file(key);
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    let size = 0;
    const cap = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        size += chunk.length;
        callback(size > maxBytes ? new BlobTooLarge(maxBytes) : null, chunk);
      },
    });
    try {
      await pipeline(source, cap, fs.createWriteStream(temp));
      await fs.promises.rename(temp, file);
      return size;
    } catch (err) {
      await fs.promises.rm(temp, { force: true });
      throw err;
    }
  }

  async copy(fromKey: string, toKey: string): Promise<boolean> {
    const from = this.file(fromKey);
    const file = this.file(toKey);
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await fs.promises.copyFile(from, temp);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
    await fs.promises.rename(temp, file);
    return true;
  }

  async read(key: string): Promise<Buffer | null> {
    try {
      return await fs.promises.readFile(this.file(key));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async stat(key: string): Promise<StoredBlob | null> {
    if (!isBlobKey(key)) return null;
    const file = this.file(key);
    try {
      const info = await fs.promises.stat(file);
      return info.isFile() ? { path: file, size: info.size } : null;
    } catch {
      return null;
    }
  }

  async deletePrefix(prefix: string): Promise<void> {
    await fs.promises.rm(this.file(prefix), { recursive: true, force: true });
  }

  async listChildren(prefix: string): Promise<string[]> {
    try {
      return await fs.promises.readdir(this.file(prefix));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  async sweepDebris(before: number): Promise<number> {
    return sweepFolder(this.root, before, false);
  }
}

/** Depth first, so a folder emptied of its debris goes too; the root itself stays. */
async function sweepFolder(dir: string, before: number, removable: boolean): Promise<number> {
  let removed = 0;
  let entries: fs.Dirent[];
  try {
    entries = await fs.promises.readdir(dir, { withFileTypes: true });
  } catch {
    return 0; // removed meanwhile
  }
  let left = entries.length;
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const n = await sweepFolder(full, before, true);
      removed += n;
      if (n > 0 && !(await exists(full))) left--;
    } else if (TEMP.test(entry.name) && (await changedBefore(full, before))) {
      await fs.promises.rm(full, { force: true });
      removed++;
      left--;
    }
  }
  if (removable && left === 0 && (await changedBefore(dir, before))) {
    // rmdir refuses a folder a writer has just put something in: that one stays.
    if (await fs.promises.rmdir(dir).then(() => true, () => false)) removed++;
  }
  return removed;
}

async function changedBefore(file: string, before: number): Promise<boolean> {
  const info = await fs.promises.stat(file).catch(() => null);
  return info !== null && info.mtimeMs < before;
}

const exists = (file: string) => fs.promises.access(file).then(() => true, () => false);
