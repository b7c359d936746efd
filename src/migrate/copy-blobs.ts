import fs from 'node:fs';
import type { BlobStore } from '../storage/index.js';
import { blobFiles, type BlobFile } from './blob-files.js';

export interface BlobCopy {
  total: number;
  bytes: number;
  copied: number;
  /** Already in the target with the same size (an earlier run). */
  present: number;
  /** Keys the target holds with another size: left alone, and the migration refuses. */
  conflicts: string[];
}

/** Blobs in flight at once: S3 spends most of a small blob's time on the round trip; each large one holds up to 16 MB of parts. */
const PARALLEL = 4;

/** Streams every blob of the data dir into `target`, skipping those it holds already. */
export async function copyBlobs(root: string, target: BlobStore): Promise<BlobCopy> {
  const result: BlobCopy = { total: 0, bytes: 0, copied: 0, present: 0, conflicts: [] };
  await eachInParallel(blobFiles(root), async (blob) => {
    result.total++;
    result.bytes += blob.size;
    const there = await target.stat(blob.key);
    if (there?.size === blob.size) result.present++;
    else if (there) result.conflicts.push(blob.key);
    else {
      const size = await target.putStream(blob.key, fs.createReadStream(blob.file), blob.size);
      if (size !== blob.size) throw new Error(`blob ${blob.key} changed while it was copied (${blob.size} → ${size} bytes)`);
      result.copied++;
    }
  });
  return result;
}

/** Blobs of the data dir the target lacks or holds with another size. */
export async function missingBlobs(root: string, target: BlobStore): Promise<{ total: number; missing: string[] }> {
  let total = 0;
  const missing: string[] = [];
  await eachInParallel(blobFiles(root), async (blob) => {
    total++;
    if ((await target.stat(blob.key))?.size !== blob.size) missing.push(blob.key);
  });
  return { total, missing };
}

/** Blobs of the data dir, counted where they stay. */
export async function countBlobs(root: string): Promise<{ total: number; bytes: number }> {
  let total = 0;
  let bytes = 0;
  for await (const blob of blobFiles(root)) {
    total++;
    bytes += blob.size;
  }
  return { total, bytes };
}

async function eachInParallel(blobs: AsyncIterable<BlobFile>, work: (blob: BlobFile) => Promise<void>): Promise<void> {
  const running = new Set<Promise<void>>();
  let failure: unknown = null;
  for await (const blob of blobs) {
    if (failure) break;
    const task: Promise<void> = work(blob).then(
      () => void running.delete(task),
      (err) => {
        failure ??= err;
        running.delete(task);
      },
    );
    running.add(task);
    if (running.size >= PARALLEL) await Promise.race(running);
  }
  await Promise.all(running);
  if (failure) throw failure;
}
