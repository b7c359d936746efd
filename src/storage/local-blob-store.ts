import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { readFileHead } from '../media/file-head.js';
import { byteCap, isBlobKey, type BlobStore, type StoredBlob } from './blob-store.js';

const TEMP = /\.[0-9a-f]{12}\.tmp$/;

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
    const cap = byteCap(maxBytes);
    try {
      await pipeline(source, cap, fs.createWriteStream(temp));
      await fs.promises.rename(temp, file);
      return cap.bytes;
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

  async readHead(key: string, length: number): Promise<Buffer> {
    return (await this.stat(key)) ? readFileHead(this.file(key), length) : Buffer.alloc(0);
  }

  async stat(key: string): Promise<StoredBlob | null> {
    if (!isBlobKey(key)) return null;
    try {
      const info = await fs.promises.stat(this.file(key));
      return info.isFile() ? { size: info.size } : null;
    } catch {
      return null;
    }
  }

  async open(key: string): Promise<(StoredBlob & { stream: Readable }) | null> {
    const blob = await this.stat(key);
    return blob && { size: blob.size, stream: fs.createReadStream(this.file(key)) };
  }

  async localFile(key: string): Promise<string | null> {
    return (await this.stat(key)) ? this.file(key) : null;
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

  close(): void {}
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
