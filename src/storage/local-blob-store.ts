import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface StoredBlob {
  path: string;
  size: number;
}

export interface BlobStore {
  put(key: string, bytes: Buffer): Promise<void>;
  read(key: string): Promise<Buffer | null>;
  stat(key: string): Promise<StoredBlob | null>;
  deletePrefix(prefix: string): Promise<void>;
}

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
}
