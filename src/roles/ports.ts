import path from 'node:path';
import type { Logger } from 'pino';
import { isMovable, systemClock, type Clock } from '../clock.js';
import type { Config } from '../config.js';
import { errorMessage } from '../errors.js';
import { Events } from '../events.js';
import { VideoToolkit } from '../media/video/index.js';
import { Metrics } from '../metrics.js';
import { Routing } from '../engines/index.js';
import { storedCallbacks } from './stored-callbacks.js';
import { BlobStoreUnreachable, blobUrls, loadSharedSecret, openBlobStore, type BlobStore, type BlobUrls } from '../storage/index.js';
import { openStore, queue, type Store } from '../store/index.js';
import { Releasers } from './releasers.js';
import { StoredClock } from './stored-clock.js';
import { redactUrl, StartRefused, type Role } from './role.js';

/** The ports every role shares, built once per process. */
export interface Ports {
  config: Readonly<Config>;
  role: Role;
  logger: Logger;
  clock: Clock;
  store: Store;
  events: Events;
  metrics: Metrics;
  blobs: BlobStore;
  /** Where clients download blobs and upload files: the bucket's presigned URLs, or our own. */
  urls: BlobUrls;
  video: VideoToolkit;
  secret: Buffer;
  /** Which engines serve which models (the routing file), shared by submit and the workers. */
  routing: Routing;
  releasers: Releasers;
}

/** `clock`: the one a caller controls (tests); else the system's, or under `--clock virtual` the store's. */
export async function openPorts(config: Readonly<Config>, role: Role, logger: Logger, given: Clock | undefined, releasers: Releasers): Promise<Ports> {
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, shared: role !== 'serve' }).catch((err) => {
    const where = config.databaseUrl ? redactUrl(config.databaseUrl) : path.join(config.dataDir, 'atelier.db');
    throw new StartRefused(`cannot open the store at ${where}: ${errorMessage(err)}`);
  });
  releasers.push(() => store.close());
  store.notifications.useLogger(logger);
  // Released after everything pushed below (releasers run last first), so draining jobs still have it.
  const blobs = await openBlobStore(config).catch((err) => {
    throw err instanceof BlobStoreUnreachable ? new StartRefused(err.message) : err;
  });
  releasers.push(async () => blobs.close());

  const events = new Events(logger);
  const metrics = new Metrics(() => queue.countJobs(store.db));
  metrics.observe(events);
  const clock =
    given ?? (config.clock === 'virtual' ? await StoredClock.open(store, { logger, pollIntervalMs: config.pollIntervalMs, releasers }) : systemClock);
  if (isMovable(clock)) {
    const off = clock.onAdvance((now) => events.emit('clock:advanced', { now }));
    releasers.push(async () => void off());
  }

  const video = new VideoToolkit({
    ffmpegPath: config.ffmpegPath,
    ffprobePath: config.ffprobePath,
    envPath: config.searchPath,
    concurrency: config.videoConcurrency,
    timeoutMs: config.ffmpegTimeoutMs,
  });
  if (video.problem) logger.warn({ problem: video.problem }, 'video generation unavailable');
  else logger.info({ ...video.info, hevc: video.hasEncoder('libx265') }, 'ffmpeg found');
  releasers.push(async () => video.close());

  const secret = await loadSharedSecret(store, { secret: config.secret, dataDir: config.dataDir, now: clock.now() });
  const routing = new Routing(config.routing, config.mode, {
    logger,
    configDir: config.routing?.dir ?? process.cwd(),
    now: () => clock.now(),
    onCall: (call) => events.emit('engine:call', call),
    onBreaker: (engine, state) => events.emit('engine:breaker', { engine, state }),
    callbacks: storedCallbacks(store, secret, config.publicUrl),
  });
  releasers.push(() => routing.close());
  if (config.mode === 'gateway' && !config.routing) logger.warn('gateway mode without a routing file (--config): every model answers Unknown model');

  const urls = blobUrls(blobs, secret, config.s3?.urls);
  return { config, role, logger, clock, store, events, metrics, blobs, urls, video, secret, routing, releasers };
}
