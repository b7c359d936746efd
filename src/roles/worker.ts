import { FileIngestor, FileSweeper } from '../files/index.js';
import path from 'node:path';
import { DebrisSweeper, WorkerPool } from '../jobs/index.js';
import { Moderation } from '../moderation/index.js';
import { files } from '../store/index.js';
import type { Ports } from './ports.js';
import { WebhookDeliverer } from '../webhooks/deliverer.js';

/** Debris younger than this may belong to a submit or write still under way (a slow upload, a slow URL input). */
const DEBRIS_GRACE_MS = 60 * 60 * 1000;

export interface WorkerPart {
  pool: WorkerPool;
  ingestor: FileIngestor;
}

/** Jobs, file ingest and sweeps: the work half of `serve` (even with --workers 0), and all of `atelier worker`. */
export function startWorkerPart(ports: Ports, processId: string, origin: () => string): WorkerPart {
  const { config, store, blobs, clock, events, logger, video, releasers } = ports;
  const moderation = new Moderation(config.moderation, { events, logger });
  releasers.push(() => moderation.close());
  const ingestor = new FileIngestor({ store, blobs, clock, logger, limits: config.limits, moderation });
  releasers.push(() => ingestor.close());
  const sweeper = new FileSweeper({ store, blobs, clock, logger, ingestor, intervalMs: config.filesSweepMs });
  sweeper.start();
  releasers.push(() => sweeper.stop());
  if (ports.role === 'worker') watchUploads(ports, ingestor);
  const scratchDir = path.join(config.dataDir, 'scratch');
  const debris = new DebrisSweeper({ store, blobs, clock, logger, scratchDir, intervalMs: config.debrisSweepMs, graceMs: DEBRIS_GRACE_MS });
  debris.start();
  releasers.push(() => debris.stop());
  const pool = new WorkerPool({ store, blobs, clock, events, logger, config, moderation, video, scratchDir, routing: ports.routing }, config.workers, processId);
  ports.metrics.observeEngines(events, () => pool.inFlight());
  pool.start();
  releasers.push(() => pool.stop(config.drainMs));
  startDeliverer(ports, origin);
  return { pool, ingestor };
}

/**
 * The webhook outbox's deliverer (not under --strict, where nothing can subscribe). It wakes on
 * every state change (any process's, through the store's notifications) and on a redelivery
 * asked of this process, and polls for the rest (file events, other processes' redeliveries).
 */
function startDeliverer({ config, store, clock, logger, urls, events, releasers }: Ports, origin: () => string): void {
  if (config.strict) return;
  const deliverer = new WebhookDeliverer({ store, clock, logger, urls, baseUrl: origin, config });
  const offs = [
    store.notifications.subscribe('generation:changed', (change) => change.state !== 'queued' && change.progress === undefined && deliverer.poke()),
    store.notifications.onGap(() => deliverer.poke()),
    events.on('webhook:due', () => deliverer.poke()),
  ];
  deliverer.start();
  // Stopped before the pool drains (releasers run last first): deliveries of the final events wait for the next start.
  releasers.push(async () => {
    offs.forEach((off) => off());
    await deliverer.stop();
  });
}

/**
 * In a worker process, ingest starts on an API process's `file:uploaded`; one worker claims each
 * file. Uploads whose notification was missed are found by a rescan on start, after a gap and at
 * the poll interval (api and worker processes sharing SQLite have no notifications at all).
 */
function watchUploads({ store, logger, config, releasers }: Ports, ingestor: FileIngestor): void {
  const take = (fileId: string) =>
    files
      .claimUploadedFile(store.db, fileId)
      .then((won) => won && ingestor.start(fileId))
      .catch((err) => logger.error({ err, fileId }, 'file claim failed'));
  let scanning: Promise<void> | null = null;
  const rescan = () => {
    scanning ??= files
      .listUnclaimedUploads(store.db, 50)
      .then(async (ids) => void (await Promise.all(ids.map(take))))
      .catch((err) => logger.error({ err }, 'upload rescan failed'))
      .finally(() => (scanning = null));
  };
  const offUploaded = store.notifications.subscribe('file:uploaded', ({ fileId }) => void take(fileId));
  const offGap = store.notifications.onGap(rescan);
  const timer = setInterval(rescan, Math.max(config.pollIntervalMs * 4, 1000));
  timer.unref();
  rescan();
  releasers.push(async () => {
    offUploaded();
    offGap();
    clearInterval(timer);
    await scanning;
  });
}
