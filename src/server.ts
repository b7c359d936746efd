import { pino, type Logger } from 'pino';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Authenticator, RpmLimiter, seedClients, usd } from './accounts/index.js';
import { createApp } from './api/app.js';
import type { ApiDeps } from './api/context.js';
import { adminRoutes } from './api/routes/admin.js';
import { blobRoutes } from './api/routes/blobs.js';
import { fileRoutes } from './api/routes/files.js';
import { generationRoutes } from './api/routes/generations.js';
import { operationRoutes } from './api/routes/operations.js';
import { usageRoutes } from './api/routes/usage.js';
import { webhookRoutes } from './api/routes/webhooks.js';
import { WebhookDeliverer } from './webhooks/deliverer.js';
import { systemClock, VirtualClock, type Clock } from './clock.js';
import { configuredKeyFaults } from './emulator/key-faults.js';
import { Emulator } from './emulator/emulator.js';
import type { Config } from './config.js';
import { Events } from './events.js';
import { FileIngestor, FileSweeper, type FileDeps } from './files/index.js';
import { createMediaFetcher } from './media/fetch/index.js';
import { DebrisSweeper, WorkerPool } from './jobs/index.js';
import { Metrics } from './metrics.js';
import { Moderation } from './moderation/index.js';
import { LocalBlobStore, loadSecret } from './storage/index.js';
import { openStore, queue, type Store } from './store/index.js';
import { VideoToolkit } from './media/video/index.js';

/** Debris younger than this may belong to a submit or write still under way (a slow upload, a slow URL input). */
const DEBRIS_GRACE_MS = 60 * 60 * 1000;

export interface Server {
  app: FastifyInstance;
  store: Store;
  /** The address it listens on, e.g. http://127.0.0.1:8080. */
  url: string;
  /** Set on a first start with no keys configured: shown once, stored only as a hash. */
  devKey: string | null;
  /** Drains: stops taking requests and work, lets running jobs finish, closes the store. */
  close(): Promise<void>;
}

/** The composition root: builds every port once and hands each part only what it uses. */
export async function startServer(config: Readonly<Config>, options: { logger?: Logger; clock?: Clock } = {}): Promise<Server> {
  const logger = options.logger ?? pino({ level: config.logLevel });
  const clock = options.clock ?? (config.clock === 'virtual' ? new VirtualClock(systemClock.now()) : systemClock);
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const releasers: Array<() => Promise<void>> = [() => store.close()];
  try {
    const { devKey } = await seedClients(store, clock, config.apiKeys, config.credits === null ? null : usd(config.credits));
    const events = new Events(logger);
    const metrics = new Metrics(() => queue.countJobs(store.db));
    metrics.observe(events);
    if (clock instanceof VirtualClock) {
      const off = clock.onAdvance((now) => events.emit('clock:advanced', { now }));
      releasers.push(async () => void off());
    }
    const emulator = new Emulator({ config, clock, events, configFaults: await configuredKeyFaults(store, config.keyFaults) });
    const blobs = new LocalBlobStore(path.join(config.dataDir, 'blobs'));
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
    const fetcher = createMediaFetcher({
      allowPrivate: config.allowPrivateUrls,
      timeoutMs: config.limits.fetchTimeoutMs,
      maxRedirects: 3,
      maxBytes: { image: config.limits.maxImageBytes, video: config.limits.maxVideoBytes },
      ca: config.fetchCaFile ? fs.readFileSync(config.fetchCaFile, 'utf8') : undefined,
    });
    releasers.push(() => fetcher.close());
    let ready = false;
    const deps: ApiDeps = {
      config,
      store,
      blobs,
      fetcher,
      secret: loadSecret(config.dataDir),
      clock,
      auth: new Authenticator(store, clock),
      limiter: new RpmLimiter(),
      events,
      metrics,
      video,
      emulator,
      isReady: () => ready,
    };

    const moderation = new Moderation(config.moderation, { events, logger });
    releasers.push(() => moderation.close());
    const ingestor = new FileIngestor({ store, blobs, clock, logger, limits: config.limits, moderation });
    releasers.push(() => ingestor.close());
    const sweeper = new FileSweeper({ store, blobs, clock, logger, ingestor, intervalMs: config.filesSweepMs });
    sweeper.start();
    releasers.push(() => sweeper.stop());
    const fileDeps: FileDeps = {
      store,
      blobs,
      clock,
      secret: deps.secret,
      ingestor,
      limits: { maxImageBytes: config.limits.maxImageBytes, maxVideoBytes: config.limits.maxVideoBytes },
    };

    const app = createApp({ logger, bodyLimit: config.bodyLimit, metrics });
    generationRoutes(app, deps);
    adminRoutes(app, deps);
    usageRoutes(app, deps);
    fileRoutes(app, deps, fileDeps);
    blobRoutes(app, deps);
    operationRoutes(app, deps);
    let address = '';
    const deliverer = startDeliverer(deps, logger, () => config.publicUrl || address);
    if (deliverer) releasers.push(() => deliverer.stop());
    if (!config.strict) webhookRoutes(app, deps, () => deliverer?.poke());
    const scratchDir = path.join(config.dataDir, 'scratch');
    const debris = new DebrisSweeper({ store, blobs, clock, logger, scratchDir, intervalMs: config.debrisSweepMs, graceMs: DEBRIS_GRACE_MS });
    debris.start();
    releasers.push(() => debris.stop());
    const workers = new WorkerPool({ store, blobs, clock, events, logger, config, moderation, video, scratchDir }, config.workers);
    workers.start();
    releasers.push(() => workers.stop(config.drainMs));
    releasers.push(() => app.close());

    address = await app.listen({ host: config.host, port: config.port });
    ready = true;
    logger.info({ address, workers: config.workers, store: store.dialect.name }, 'atelier listening');

    return {
      app,
      store,
      url: address,
      devKey,
      close: async () => {
        ready = false;
        await releaseAll(releasers, logger);
      },
    };
  } catch (err) {
    await releaseAll(releasers, logger);
    throw err;
  }
}

/**
 * The webhook outbox's deliverer runs where jobs run (not under --strict, where nothing can be
 * subscribed); it wakes when a job ends here and polls for the rest.
 */
function startDeliverer(deps: ApiDeps, logger: Logger, baseUrl: () => string): WebhookDeliverer | null {
  if (deps.config.strict || deps.config.workers === 0) return null;
  const deliverer = new WebhookDeliverer({ store: deps.store, clock: deps.clock, logger, secret: deps.secret, baseUrl, config: deps.config });
  for (const name of ['job:completed', 'job:failed', 'generation:cancelled'] as const) deps.events.on(name, () => deliverer.poke());
  deliverer.start();
  return deliverer;
}

/** Runs releasers last-registered first, each even if an earlier one failed. */
async function releaseAll(releasers: Array<() => Promise<void>>, logger: Logger): Promise<void> {
  while (releasers.length > 0) {
    try {
      await releasers.pop()!();
    } catch (err) {
      logger.error({ err }, 'release failed');
    }
  }
}
