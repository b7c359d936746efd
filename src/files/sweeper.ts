import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { URL_TTL_MS, type BlobStore } from '../storage/index.js';
import { files, type Store } from '../store/index.js';
import { Periodic } from '../periodic.js';
import type { FileIngestor } from './ingest.js';

const BATCH = 100;

export interface SweeperDeps {
  store: Store;
  blobs: BlobStore;
  clock: Clock;
  logger: Logger;
  ingestor: FileIngestor;
  /** Time between sweeps; an ingest silent for this long (twice over) is started again. */
  intervalMs: number;
}

/**
 * Keeps files honest over time: files past `expires_at` become deleted, presigned uploads never
 * completed while their URL was valid end failed, the blobs of deleted files are removed, and
 * ingest that died with its process is started again.
 */
export class FileSweeper {
  private readonly periodic: Periodic;

  constructor(private readonly deps: SweeperDeps) {
    this.periodic = new Periodic(() => this.sweep(), deps.intervalMs, (err) => deps.logger.error({ err }, 'file sweep failed'));
  }

  start(): void {
    this.periodic.start();
  }

  async sweep(): Promise<void> {
    const { store, blobs, clock, ingestor } = this.deps;
    const now = clock.now();
    await files.expireFiles(store.db, now);
    await store.transact((trx) => files.failAbandonedUploads(trx, now - URL_TTL_MS, 'the upload was not completed before its URL expired', now));
    for (const file of await files.listPurgeableFiles(store.db, BATCH)) {
      await blobs.deletePrefix(`files/${file.id}`);
      await files.clearFileBlob(store.db, file.id);
    }
    const staleSince = now - 2 * this.deps.intervalMs;
    for (const id of await files.listStalePendingFiles(store.db, staleSince, BATCH)) {
      if (await files.claimStaleFile(store.db, id, staleSince, now)) ingestor.start(id);
    }
  }

  stop(): Promise<void> {
    return this.periodic.stop();
  }
}
