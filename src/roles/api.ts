import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Authenticator, MemoryRpmLimiter, seedClients, StoreRpmLimiter, usd } from '../accounts/index.js';
import { createApp } from '../api/app.js';
import { capConnectionsPerAddress } from '../api/connection-guard.js';
import type { ApiDeps } from '../api/context.js';
import { adminRoutes } from '../api/routes/admin.js';
import { blobRoutes } from '../api/routes/blobs.js';
import { thumbnailRoutes } from '../api/routes/thumbnails.js';
import { dashboardRoutes } from '../api/routes/dashboard.js';
import { referenceRoutes } from '../api/routes/reference.js';
import { generationDetailRoutes } from '../api/routes/generation-details.js';
import { fileRoutes } from '../api/routes/files.js';
import { generationRoutes } from '../api/routes/generations.js';
import { healthRoutes, operationRoutes } from '../api/routes/operations.js';
import { accountRoutes, usageRoutes } from '../api/routes/usage.js';
import { webhookRoutes } from '../api/routes/webhooks.js';
import { eventRoutes } from '../api/routes/events.js';
import { modelRoutes } from '../api/routes/models.js';
import { engineCallbackRoutes } from '../api/routes/engine-callbacks.js';
import { Emulator } from '../emulator/emulator.js';
import { configuredKeyFaults } from '../emulator/key-faults.js';
import { LatencySetting } from '../emulator/latency-setting.js';
import type { FileDeps } from '../files/index.js';
import { createMediaFetcher } from '../media/fetch/index.js';
import type { Ports } from './ports.js';

export interface ApiPart {
  app: FastifyInstance;
  devKey: string | null;
}

/**
 * The HTTP half: seeds clients, then serves every route. `ingest` starts a completed upload's
 * ingest: in this process under `serve`, by notifying the worker processes under `api`.
 */
export async function buildApiPart(ports: Ports, ingest: FileDeps['ingestor'], isReady: () => boolean): Promise<ApiPart> {
  const { config, store, blobs, clock, events, metrics, video, logger, releasers } = ports;
  const { devKey } = await seedClients(store, clock, config.apiKeys, config.credits === null ? null : usd(config.credits));
  const latency = await LatencySetting.load(store, clock, config);
  const emulator = new Emulator({ config, clock, store, events, configFaults: await configuredKeyFaults(store, config.keyFaults), latency });
  const fetcher = createMediaFetcher({
    allowPrivate: config.allowPrivateUrls,
    timeoutMs: config.limits.fetchTimeoutMs,
    maxRedirects: 3,
    maxBytes: { image: config.limits.maxImageBytes, video: config.limits.maxVideoBytes },
    ca: config.fetchCaFile ? fs.readFileSync(config.fetchCaFile, 'utf8') : undefined,
  });
  releasers.push(() => fetcher.close());
  const auth = new Authenticator(store, clock);
  const offClients = store.notifications.subscribe('clients:changed', () => auth.forget());
  releasers.push(async () => offClients());
  const deps: ApiDeps = {
    config,
    store,
    blobs,
    urls: ports.urls,
    fetcher,
    secret: ports.secret,
    clock,
    auth,
    // Counted in the store whenever another API process could share it.
    limiter: store.dialect.shared ? new StoreRpmLimiter(store) : new MemoryRpmLimiter(),
    events,
    metrics,
    video,
    scratchDir: path.join(config.dataDir, 'scratch'),
    emulator,
    routing: ports.routing,
    isReady,
  };
  const fileDeps: FileDeps = {
    store,
    blobs,
    urls: ports.urls,
    clock,
    secret: ports.secret,
    ingestor: ingest,
    limits: { maxImageBytes: config.limits.maxImageBytes, maxVideoBytes: config.limits.maxVideoBytes },
  };
  const app = createApp({
    logger,
    bodyLimit: config.bodyLimit,
    metrics,
    http: config.http,
    maxDecodedBytes: Math.max(config.limits.maxImageBytes, config.limits.maxVideoBytes),
  });
  capConnectionsPerAddress(app.server, config.http.maxConnectionsPerAddress);
  generationRoutes(app, deps);
  generationDetailRoutes(app, deps);
  adminRoutes(app, deps);
  usageRoutes(app, deps);
  accountRoutes(app, deps);
  fileRoutes(app, deps, fileDeps);
  blobRoutes(app, deps);
  thumbnailRoutes(app, deps);
  operationRoutes(app, deps);
  if (!config.strict) modelRoutes(app, deps);
  engineCallbackRoutes(app, deps);
  // Presigned outputs come from the bucket's origin, which the dashboard's policy must allow.
  const bucketOrigin = config.s3?.urls === 'presigned' ? new URL(await ports.urls.download('probe', '', clock.now())).origin : null;
  dashboardRoutes(app, config, bucketOrigin ? [bucketOrigin] : []);
  referenceRoutes(app, config);
  if (!config.strict) {
    webhookRoutes(app, deps, () => events.emit('webhook:due', {}));
    eventRoutes(app, deps);
  }
  return { app, devKey };
}

/** A worker process's only HTTP: /healthz and /metrics on its metrics port. */
export function buildHealthApp(ports: Ports, isReady: () => boolean): FastifyInstance {
  const app = createApp({ logger: ports.logger, bodyLimit: 1024, metrics: ports.metrics, http: ports.config.http });
  healthRoutes(app, { isReady, metrics: ports.metrics, metricsToken: ports.config.metricsToken });
  return app;
}
