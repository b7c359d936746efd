import { readFileHead } from '../media/file-head.js';
import type { BlobStore } from '../storage/index.js';

/** The first `length` bytes of a blob (fewer if it is shorter; none if it is gone), without reading the rest. */
export async function readBlobHead(blobs: BlobStore, key: string, length = 16): Promise<Buffer> {
  const blob = await blobs.stat(key);
  return blob ? readFileHead(blob.path, length) : Buffer.alloc(0);
}
