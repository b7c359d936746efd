import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { webpThumbnail } from '../media/image.js';
import { Semaphore } from '../media/semaphore.js';
import type { VideoToolkit } from '../media/video/index.js';
import type { BlobStore } from '../storage/index.js';
import { THUMBNAIL_SIDE, thumbnailKey, thumbnailKind } from './thumbnail-url.js';

/** Raised when a blob exists but no thumbnail can be made of it (not an image or video, undecodable, no ffmpeg). */
export class ThumbnailUnavailable extends Error {}

export interface ThumbnailerDeps {
  blobs: BlobStore;
  video?: VideoToolkit;
}

/**
 * Makes thumbnails on first request and caches them in the blob store, so every process serves
 * the one made first. Only through the BlobStore interface, so it works with any store.
 */
export class Thumbnailer {
  private readonly rendering = new Map<string, Promise<Buffer | null>>();
  /** A gallery page asks for two dozen at once; two renders at a time leave the CPU to the API. */
  private readonly renders = new Semaphore(2);

  constructor(private readonly deps: ThumbnailerDeps) {}

  /** The thumbnail of blob `key` as WebP, or null when the blob doesn't exist. */
  async get(key: string): Promise<Buffer | null> {
    const cacheKey = thumbnailKey(key);
    const cached = await this.deps.blobs.read(cacheKey);
    if (cached) return cached;
    let pending = this.rendering.get(cacheKey);
    if (!pending) {
      pending = this.render(key, cacheKey).finally(() => this.rendering.delete(cacheKey));
      this.rendering.set(cacheKey, pending);
    }
    return pending;
  }

  private async render(key: string, cacheKey: string): Promise<Buffer | null> {
    const kind = thumbnailKind(key);
    const release = await this.renders.acquire();
    try {
      if (!kind) {
        if (!(await this.deps.blobs.stat(key))) return null;
        throw new ThumbnailUnavailable(`no thumbnail of ${path.extname(key) || 'a file without extension'}`);
      }
      const still = kind === 'video' ? await this.posterFrame(key) : await this.deps.blobs.read(key);
      if (!still) return null;
      const { bytes } = await webpThumbnail(still, THUMBNAIL_SIDE).catch((err: unknown) => {
        throw new ThumbnailUnavailable(`undecodable: ${err instanceof Error ? err.message : String(err)}`);
      });
      await this.deps.blobs.put(cacheKey, bytes);
      return bytes;
    } finally {
      release();
    }
  }

  /** The video's first frame as PNG, from the blob's file (or a copy in a temp folder where the store has none). */
  private async posterFrame(key: string): Promise<Buffer | null> {
    const toolkit = this.deps.video;
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'atelier-poster-'));
    try {
      const file = await this.deps.blobs.localFile(key, dir);
      if (!file) return null;
      if (!toolkit || toolkit.problem) throw new ThumbnailUnavailable(toolkit?.problem ?? 'ffmpeg is unavailable');
      return await toolkit.grabFrame(file, 0).catch((err: unknown) => {
        throw new ThumbnailUnavailable(`no poster frame: ${err instanceof Error ? err.message : String(err)}`);
      });
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  }
}
