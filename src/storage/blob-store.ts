import path from 'node:path';
import { Transform, type Readable } from 'node:stream';

export interface StoredBlob {
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
  /** The first `length` bytes (fewer if it is shorter; none if it is gone), without reading the rest. */
  readHead(key: string, length: number): Promise<Buffer>;
  stat(key: string): Promise<StoredBlob | null>;
  /** The blob's bytes as a stream, with its size; null when it is gone. */
  open(key: string): Promise<(StoredBlob & { stream: Readable }) | null>;
  /**
   * A file holding the blob's bytes, for tools that need one (ffmpeg): the blob itself when it is a
   * file already, else a copy made in `dir`, which the caller removes with `dir`. Null when it is gone.
   */
  localFile(key: string, dir: string): Promise<string | null>;
  /** Removes the blob `prefix` and every blob under `prefix/`. */
  deletePrefix(prefix: string): Promise<void>;
  /** The names directly under `prefix` (`inputs` → generation ids). */
  listChildren(prefix: string): Promise<string[]>;
  /** Removes what killed writes leave (temp files, empty folders, unfinished uploads) begun before `before` (epoch ms). */
  sweepDebris(before: number): Promise<number>;
  /** Lets go of connections; the store is not used after. */
  close(): void;
}

const KEY = /^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*$/i;

export function isBlobKey(key: string): boolean {
  return KEY.test(key) && !key.split('/').some((part) => part === '.' || part === '..');
}

const MEDIA_TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.mp4': 'video/mp4',
  '.exr': 'image/x-exr',
};

/** The Content-Type a blob is served with, by its key's extension. */
export function mediaTypeOf(key: string): string {
  return MEDIA_TYPES[path.extname(key).toLowerCase()] ?? 'application/octet-stream';
}

/** Passes bytes through, counting them (not `size`: lib-storage would read that as the body's length); errors with BlobTooLarge past `maxBytes`. */
export function byteCap(maxBytes: number): Transform & { readonly bytes: number } {
  let size = 0;
  const cap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      callback(size > maxBytes ? new BlobTooLarge(maxBytes) : null, chunk);
    },
  });
  return Object.defineProperty(cap, 'bytes', { get: () => size }) as Transform & { readonly bytes: number };
}
