import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline as pipe, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AbortMultipartUploadCommand,
  CopyObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type ListObjectsV2CommandOutput,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { S3Config } from '../config.js';
import { BlobTooLarge, byteCap, isBlobKey, mediaTypeOf, type BlobStore, type StoredBlob } from './blob-store.js';
import type { Presigning } from './blob-urls.js';

/** Parts of a streamed upload: memory held per stream is PART_BYTES × PARTS_IN_FLIGHT. */
const PART_BYTES = 8 * 1024 * 1024;
const PARTS_IN_FLIGHT = 2;

const missing = (err: unknown) => (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404;

/**
 * Blobs as objects of one bucket, keyed as in the data dir. Every write is a single PUT or a
 * multipart upload completed at once, so a reader never sees part of a blob; a killed upload's
 * parts are aborted by `sweepDebris`.
 */
export class S3BlobStore implements BlobStore, Presigning {
  readonly client: S3Client;
  readonly bucket: string;

  /** `listPage`: keys per list request (S3's most is 1000). */
  constructor(
    config: S3Config,
    private readonly options: { listPage?: number } = {},
  ) {
    this.bucket = config.bucket;
    this.client = new S3Client({
      region: config.region,
      endpoint: config.endpoint || undefined,
      forcePathStyle: config.forcePathStyle,
      // Checksums only where S3 requires them: S3-compatible services and presigned PUTs don't send them.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  private key(key: string): string {
    if (!isBlobKey(key)) throw new Error(`invalid blob key: ${key}`);
    return key;
  }

  /** Throws with S3's reason when the bucket can't be reached with these credentials. */
  async check(): Promise<void> {
    await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
  }

  async put(key: string, bytes: Buffer): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.key(key), Body: bytes, ContentType: mediaTypeOf(key) }));
  }

  async putStream(key: string, source: Readable, maxBytes: number): Promise<number> {
    const cap = byteCap(maxBytes);
    // An error of either stream destroys the other with it, so the upload below sees it and aborts.
    const body = pipe(source, cap, () => undefined);
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: this.key(key), Body: body, ContentType: mediaTypeOf(key) },
      partSize: PART_BYTES,
      queueSize: PARTS_IN_FLIGHT,
    });
    try {
      await upload.done();
    } catch (err) {
      source.destroy();
      if (cap.bytes > maxBytes) throw new BlobTooLarge(maxBytes);
      throw err;
    }
    return cap.bytes;
  }

  async copy(fromKey: string, toKey: string): Promise<boolean> {
    try {
      await this.client.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          Key: this.key(toKey),
          CopySource: `${this.bucket}/${this.key(fromKey)}`,
          MetadataDirective: 'REPLACE',
          ContentType: mediaTypeOf(toKey),
        }),
      );
      return true;
    } catch (err) {
      if (missing(err) || (err as Error).name === 'NoSuchKey') return false;
      throw err;
    }
  }

  async read(key: string): Promise<Buffer | null> {
    const blob = await this.open(key);
    if (!blob) return null;
    const chunks: Buffer[] = [];
    for await (const chunk of blob.stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  async readHead(key: string, length: number): Promise<Buffer> {
    if (!isBlobKey(key) || length <= 0) return Buffer.alloc(0);
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: `bytes=0-${length - 1}` }));
      return Buffer.from(await res.Body!.transformToByteArray()).subarray(0, length);
    } catch (err) {
      if (missing(err)) return Buffer.alloc(0);
      // An empty blob has no byte 0: S3 answers 416, some S3-compatible services a broken 206.
      if ((await this.stat(key))?.size === 0) return Buffer.alloc(0);
      throw err;
    }
  }

  async stat(key: string): Promise<StoredBlob | null> {
    if (!isBlobKey(key)) return null;
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { size: head.ContentLength ?? 0 };
    } catch (err) {
      if (missing(err)) return null;
      throw err;
    }
  }

  async open(key: string): Promise<(StoredBlob & { stream: Readable }) | null> {
    if (!isBlobKey(key)) return null;
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return { size: res.ContentLength ?? 0, stream: res.Body as Readable };
    } catch (err) {
      if (missing(err)) return null;
      throw err;
    }
  }

  async localFile(key: string, dir: string): Promise<string | null> {
    const blob = await this.open(key);
    if (!blob) return null;
    // The name keeps the key's extension, which ffmpeg may read the format from.
    const file = path.join(dir, `${randomBytes(6).toString('hex')}-${path.basename(key)}`);
    await fs.promises.mkdir(dir, { recursive: true });
    await pipeline(blob.stream, fs.createWriteStream(file));
    return file;
  }

  async deletePrefix(prefix: string): Promise<void> {
    const keys = [this.key(prefix)];
    for await (const page of this.pages(`${prefix}/`)) keys.push(...(page.Contents ?? []).map((o) => o.Key!));
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000).map((Key) => ({ Key }));
      await this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: batch, Quiet: true } }));
    }
  }

  async listChildren(prefix: string): Promise<string[]> {
    const under = `${this.key(prefix)}/`;
    const names: string[] = [];
    for await (const page of this.pages(under, '/')) {
      for (const common of page.CommonPrefixes ?? []) names.push(common.Prefix!.slice(under.length, -1));
      for (const object of page.Contents ?? []) names.push(object.Key!.slice(under.length));
    }
    return names;
  }

  private async *pages(prefix: string, delimiter?: string): AsyncGenerator<ListObjectsV2CommandOutput> {
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, Delimiter: delimiter, ContinuationToken: token, MaxKeys: this.options.listPage }));
      yield page;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /** Aborts multipart uploads begun before `before`: the parts of a process killed mid-upload. */
  async sweepDebris(before: number): Promise<number> {
    let removed = 0;
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(new ListMultipartUploadsCommand({ Bucket: this.bucket, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker, MaxUploads: this.options.listPage }));
      } catch (err) {
        // Some S3-compatible services (s3rver) don't list uploads: they have nothing to sweep we can see.
        if ((err as Error).name === 'NotImplemented') return removed;
        throw err;
      }
      for (const upload of page.Uploads ?? []) {
        if (!upload.Initiated || upload.Initiated.getTime() >= before) continue;
        await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: upload.Key!, UploadId: upload.UploadId! }));
        removed++;
      }
      [keyMarker, uploadIdMarker] = page.IsTruncated ? [page.NextKeyMarker, page.NextUploadIdMarker] : [undefined, undefined];
    } while (keyMarker);
    return removed;
  }

  /**
   * A URL that GETs the blob from the bucket for `seconds`, signed with real time whatever the
   * server's clock; served with the Content-Disposition our own /v1/blobs gives it.
   */
  downloadUrl(key: string, seconds: number): Promise<string> {
    const get = new GetObjectCommand({ Bucket: this.bucket, Key: this.key(key), ResponseContentDisposition: `inline; filename="${path.basename(key)}"` });
    return getSignedUrl(this.client, get, { expiresIn: seconds });
  }

  /** A URL that PUTs exactly `size` bytes of `contentType` to the blob for `seconds`. */
  uploadUrl(key: string, contentType: string, size: number, seconds: number): Promise<string> {
    const put = new PutObjectCommand({ Bucket: this.bucket, Key: this.key(key), ContentType: contentType, ContentLength: size });
    return getSignedUrl(this.client, put, { expiresIn: seconds, signableHeaders: new Set(['content-type', 'content-length']) });
  }

  close(): void {
    this.client.destroy();
  }
}
