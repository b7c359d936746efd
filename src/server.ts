import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { createLogger } from './logger.js';
import type { FastifyInstance } from 'fastify';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import type { FileDeps } from './files/index.js';
import type { Store } from './store/index.js';
import { buildApiPart, buildHealthApp } from './roles/api.js';
import { Heartbeat } from './roles/heartbeat.js';
import { openPorts } from './roles/ports.js';
import { Releasers } from './roles/releasers.js';
import { refuseUnworkable, runsJobs, servesApi, type Role } from './roles/role.js';
import { startWorkerPart, type WorkerPart } from './roles/worker.js';

export type { Role } from './roles/role.js';

export interface Server {
  /** The API app, or a worker's /healthz and /metrics app. */
  app: FastifyInstance;
  store: Store;
  role: Role;
  /** The address it listens on, e.g. http://127.0.0.1:8080 (a worker's metrics port). */
  url: string;
  /** Set on a first start with no keys configured: shown once, stored only as a hash. */
  devKey: string | null;
  /** The separate /metrics listener (ATELIER_METRICS_ADDRESS), when there is one. */
  metricsUrl: string | null;
  /** Drains: stops taking requests and work, lets running jobs finish, closes the store. */
  close(): Promise<void>;
}

/**
 * The composition root of every role: builds the shared ports once, then the API half, the work
 * half, or both, and hands each part only what it uses.
 */
export async function startServer(
  config: Readonly<Config>,
  options: { role?: Role; logger?: Logger; clock?: Clock } = {},
): Promise<Server> {
  const role = options.role ?? 'serve';
  refuseUnworkable(config, role);
  const logger = options.logger ?? createLogger(config.logLevel, config.logFormat);
  const releasers = new Releasers();
  let ready = false;
  try {
    const ports = await openPorts(config, role, logger, options.clock, releasers);
    const processId = `${role}-${randomUUID().slice(0, 8)}`;
    let work: WorkerPart | null = null;
    const heartbeat = new Heartbeat({
      store: ports.store,
      clock: systemClock,
      logger,
      role,
      id: processId,
      intervalMs: config.heartbeatMs,
      slots: runsJobs(role) ? config.workers : 0,
      running: () => work?.pool.runningIds() ?? [],
      engines: runsJobs(role) ? () => ports.routing.statuses(work?.pool.inFlight() ?? {}) : undefined,
    });
    await heartbeat.start();
    const offBreaker = ports.events.on('engine:breaker', () => heartbeat.refresh());
    releasers.push(async () => offBreaker());
    // Released after the parts below have drained, so the process shows stopped only then.
    releasers.push(() => heartbeat.stop());
    let address = '';
    // Output URLs in webhook payloads: --public-url, else this API's address, else the configured one.
    const origin = () => config.publicUrl || address || `http://${config.host}:${config.port}`;
    work = runsJobs(role) ? startWorkerPart(ports, processId, origin) : null;
    const ingest: FileDeps['ingestor'] = work?.ingestor ?? notifyWorkers(ports.store, logger);
    const api = servesApi(role) ? await buildApiPart(ports, ingest, () => ready) : null;
    const app = api?.app ?? buildHealthApp(ports, () => ready);
    releasers.push(() => app.close());

    const port = api ? config.port : config.metricsPort;
    const listening = await app.listen({ host: config.host, port });
    if (api) address = listening;
    let metricsUrl: string | null = null;
    if (api && config.metricsAddress) {
      // /metrics on an address of its own, e.g. one only the monitoring network reaches.
      const side = buildHealthApp(ports, () => ready);
      releasers.push(() => side.close());
      const at = config.metricsAddress.lastIndexOf(':');
      metricsUrl = await side.listen({ host: config.metricsAddress.slice(0, at), port: Number(config.metricsAddress.slice(at + 1)) });
    }
    ready = true;
    logger.info({ address: listening, role, workers: work ? config.workers : 0, store: ports.store.dialect.name }, 'atelier listening');
    return {
      app,
      store: ports.store,
      role,
      url: listening,
      devKey: api?.devKey ?? null,
      metricsUrl,
      close: async () => {
        ready = false;
        await releasers.releaseAll(logger);
      },
    };
  } catch (err) {
    await releasers.releaseAll(logger);
    throw err;
  }
}

/** Ingest of an upload, when no worker runs in this process: a worker process claims it. */
function notifyWorkers(store: Store, logger: Logger): FileDeps['ingestor'] {
  return {
    start: (fileId) =>
      void store.notifications.publish(store.db, 'file:uploaded', { fileId }).catch((err) => logger.error({ err, fileId }, 'upload notification failed')),
  };
}
