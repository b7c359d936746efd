import type { BlobStore } from './blob-store.js';
import { blobPath, URL_TTL_MS } from './signed-url.js';

/** A store that can hand clients URLs of its own (S3BlobStore). */
export interface Presigning {
  downloadUrl(key: string, seconds: number): Promise<string>;
  uploadUrl(key: string, contentType: string, size: number, seconds: number): Promise<string>;
}

const presigns = (blobs: BlobStore): blobs is BlobStore & Presigning => typeof (blobs as Partial<Presigning>).downloadUrl === 'function';

/** Where clients download blobs and upload files' bytes. */
export interface BlobUrls {
  /** A URL that GETs the blob for URL_TTL_MS; `origin` is this server's, `now` the server clock's. */
  download(key: string, origin: string, now: number): Promise<string>;
  /** A presigned PUT of a file's bytes straight to the store, or null: the client PUTs them to our /v1/uploads. */
  upload: ((key: string, contentType: string, size: number) => Promise<string>) | null;
}

/** Our own signed /v1/blobs URLs, streamed from whichever store holds the blob; signed with the server clock. */
export function signedBlobUrls(secret: Buffer): BlobUrls {
  return { download: async (key, origin, now) => origin + blobPath(secret, key, now), upload: null };
}

/**
 * The bucket's own presigned URLs. AWS signs with real time, so under --clock virtual they
 * expire an hour of wall-clock time after minting, whatever the server clock says.
 */
export function presignedBlobUrls(s3: Presigning): BlobUrls {
  const seconds = URL_TTL_MS / 1000;
  return {
    download: (key) => s3.downloadUrl(key, seconds),
    upload: (key, contentType, size) => s3.uploadUrl(key, contentType, size, seconds),
  };
}

/** Presigned from the bucket unless `--blob-urls proxy`; always our own for blobs in the data dir. */
export function blobUrls(blobs: BlobStore, secret: Buffer, mode: 'presigned' | 'proxy' | undefined): BlobUrls {
  return presigns(blobs) && mode === 'presigned' ? presignedBlobUrls(blobs) : signedBlobUrls(secret);
}
