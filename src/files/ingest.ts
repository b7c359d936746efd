import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Moderation } from '../moderation/index.js';
import { probeImage, type PixelLimits } from '../media/image.js';
import { declaredFormat, FORMAT_NAMES } from '../media/media-type.js';
import { Semaphore } from '../media/semaphore.js';
import { sniffFormat } from '../media/sniff.js';
import { sniffVideo, VIDEO_MEDIA_TYPES } from '../media/sniff-video.js';
import type { BlobStore } from '../storage/index.js';
import { files, type FileTable, type Store } from '../store/index.js';
import { fileKind } from './kinds.js';

export interface IngestDeps {
  store: Store;
  blobs: BlobStore;
  clock: Clock;
  logger: Logger;
  limits: PixelLimits;
  /** Classifies image files in `full` moderation mode. */
  moderation?: Pick<Moderation, 'flagsImage'>;
}

type Verdict = { state: 'ready'; mimeType: string } | { state: 'failed'; reason: string };

/** What the bytes of an uploaded file make it: the same checks as an inline input, done once. */
async function judge(deps: IngestDeps, row: FileTable): Promise<Verdict> {
  if (!(await deps.blobs.stat(row.blob_key!))) return { state: 'failed', reason: 'the uploaded bytes are missing' };
  if (fileKind(row.mime_type) === 'video') {
    const head = await deps.blobs.readHead(row.blob_key!, 16);
    const container = sniffVideo(head);
    return container ? { state: 'ready', mimeType: VIDEO_MEDIA_TYPES[container] } : { state: 'failed', reason: 'not an MP4, MOV or WebM video' };
  }
  const bytes = (await deps.blobs.read(row.blob_key!))!;
  const sniffed = sniffFormat(bytes);
  if (sniffed && declaredFormat(row.mime_type) !== sniffed) {
    return { state: 'failed', reason: `mime_type '${row.mime_type}' does not match the data, which is ${FORMAT_NAMES[sniffed]}` };
  }
  const probe = await probeImage(bytes, deps.limits);
  if (!probe.ok) return { state: 'failed', reason: `${probe.failureCode}: ${probe.reason}` };
  if (await deps.moderation?.flagsImage(row.id, 'file', 'file', bytes)) return { state: 'failed', reason: 'content_moderated: the image was flagged by content moderation' };
  return { state: 'ready', mimeType: `image/${probe.format}` };
}

/**
 * Runs file ingest in the background (pending → ready | failed), at most `concurrency` at a time
 * so a burst of uploads can't decode without bound, and waits for it on close.
 */
export class FileIngestor {
  private readonly running = new Map<string, Promise<void>>();
  private readonly slots: Semaphore;

  constructor(
    private readonly deps: IngestDeps,
    concurrency = 2,
  ) {
    this.slots = new Semaphore(concurrency);
  }

  /** Starts ingesting a file whose bytes are complete; a second call while one is queued or runs is a no-op. */
  start(fileId: string): void {
    if (this.running.has(fileId)) return;
    const run = this.slots
      .acquire()
      .then(async (release) => {
        try {
          await this.ingest(fileId);
        } finally {
          release();
        }
      })
      .catch((err) => this.deps.logger.error({ err, fileId }, 'file ingest failed'))
      .finally(() => this.running.delete(fileId));
    this.running.set(fileId, run);
  }

  private async ingest(fileId: string): Promise<void> {
    const row = await files.getFileById(this.deps.store.db, fileId);
    if (!row || row.state !== 'pending' || row.uploaded_at === null || !row.blob_key) return;
    const verdict = await judge(this.deps, row);
    await this.deps.store.transact((trx) => files.settleFile(trx, fileId, verdict, this.deps.clock.now()));
  }

  async close(): Promise<void> {
    await Promise.all(this.running.values());
  }
}
