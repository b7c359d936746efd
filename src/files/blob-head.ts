import fs from 'node:fs';
import type { BlobStore } from '../storage/index.js';

/** The first `length` bytes of a blob (fewer if it is shorter; none if it is gone), without reading the rest. */
export async function readBlobHead(blobs: BlobStore, key: string, length = 16): Promise<Buffer> {
  const blob = await blobs.stat(key);
  if (!blob) return Buffer.alloc(0);
  const handle = await fs.promises.open(blob.path, 'r');
  try {
    const head = Buffer.alloc(length);
    const { bytesRead } = await handle.read(head, 0, length, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
