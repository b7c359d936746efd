import path from 'node:path';
import type { Config } from '../config.js';
import type { BlobStore } from './blob-store.js';
import { LocalBlobStore } from './local-blob-store.js';

/** Raised when the configured bucket can't be reached; the message is one line for the operator. */
export class BlobStoreUnreachable extends Error {}

/**
 * The blob store the config names: the bucket (checked reachable) or `<data-dir>/blobs`. The AWS
 * SDK is loaded only for a bucket: it adds a fifth of a second to every start.
 */
export async function openBlobStore(config: Pick<Config, 's3' | 'dataDir'>): Promise<BlobStore> {
  if (!config.s3) return new LocalBlobStore(path.join(config.dataDir, 'blobs'));
  const { S3BlobStore } = await import('./s3-blob-store.js');
  const s3 = new S3BlobStore(config.s3);
  try {
    await s3.check();
  } catch (err) {
    s3.close();
    const where = config.s3.endpoint ? ` at ${config.s3.endpoint}` : ` in ${config.s3.region}`;
    throw new BlobStoreUnreachable(`cannot reach the S3 bucket ${config.s3.bucket}${where}: ${s3Reason(err)}`);
  }
  return s3;
}

function s3Reason(err: unknown): string {
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (status === 404) return 'no such bucket';
  if (status === 403) return 'access denied: check the AWS credentials (AWS_ACCESS_KEY_ID, AWS_PROFILE, …) and the bucket policy';
  const e = err as Error & { code?: string };
  return [e.code, e.message || e.name].filter(Boolean).join(' ').split('\n')[0];
}
