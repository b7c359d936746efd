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
}
