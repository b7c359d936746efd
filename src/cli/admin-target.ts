import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { Authenticator } from '../accounts/index.js';
import { createApp } from '../api/app.js';
import { serverUrl } from '../client/base-url.js';
import { connectionReason } from '../client/connection-reason.js';
import { ERRORS } from '../contract/index.js';
import { adminRoutes } from '../api/routes/admin.js';
import { systemClock } from '../clock.js';
import { loadConfig, withDotEnv } from '../config.js';
import { Metrics } from '../metrics.js';
import { blobUrls, loadSecret, openBlobStore } from '../storage/index.js';
import { openStore, queue } from '../store/index.js';

export interface AdminRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: string;
  body?: unknown;
}

export interface AdminResponse {
  status: number;
  body: any;
}

/** Where admin commands go: a running server over HTTP, or a data dir's store directly. */
export interface AdminTarget {
  send(request: AdminRequest): Promise<AdminResponse>;
  close(): Promise<void>;
}

/** A running server's admin API; errors that the user fixes by restarting it or fixing the URL or token say so. */
export function httpTarget(url: string, token: string): AdminTarget {
  const server = serverUrl(url);
  return {
    async send({ method, path: route, body }) {
      let res: Response;
      try {
        res = await fetch(`${server}/admin/v1${route}`, {
          method,
          headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      } catch (err) {
        throw new Error(
          `could not reach the server at ${server}: ${connectionReason(err)}.\n` +
            'Is it running? Point --url (ATELIER_URL) at it, or pass --data-dir to work on a data dir\'s store directly.',
        );
      }
      const text = await res.text();
      let parsed: any = null;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        throw new Error(`the server at ${server} answered ${res.status} with a body that isn't JSON: is it an Atelier server?`);
      }
      if (res.status === ERRORS.ADMIN_DISABLED.status && parsed?.detail === ERRORS.ADMIN_DISABLED.detail) {
        throw new Error(
          `the server at ${server} was started without ATELIER_ADMIN_TOKEN, so its admin API is off.\n` +
            'Restart it with ATELIER_ADMIN_TOKEN=<a long secret> and give this command the same value.',
        );
      }
      if (res.status === ERRORS.ADMIN_UNAUTHORIZED.status && parsed?.detail === ERRORS.ADMIN_UNAUTHORIZED.detail) {
        throw new Error(`the server at ${server} refused the admin token: set ATELIER_ADMIN_TOKEN to the value the server was started with.`);
      }
      return { status: res.status, body: parsed };
    },
    close: async () => undefined,
  };
}

/**
 * The same admin routes, served in-process over the data dir's store (no port is opened), with
 * the blobs where the environment's settings put them (the data dir, or ATELIER_S3_BUCKET).
 */
export async function dataDirTarget(dataDir: string, env: NodeJS.ProcessEnv = withDotEnv()): Promise<AdminTarget> {
  const token = randomBytes(16).toString('hex');
  const config = loadConfig({ dataDir, adminToken: token }, env);
  const blobs = await openBlobStore(config);
  // The store the servers of this data dir use (DATABASE_URL when set), beside any that still run.
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, shared: true });
  const metrics = new Metrics(() => queue.countJobs(store.db));
  const app = createApp({ logger: pino({ level: 'silent' }), bodyLimit: config.bodyLimit, metrics });
  const secret = loadSecret(config.dataDir);
  adminRoutes(app, { config, store, blobs, clock: systemClock, auth: new Authenticator(store, systemClock), secret, urls: blobUrls(blobs, secret, config.s3?.urls) });
  await app.ready();
  return {
    async send({ method, path: route, body }) {
      const res = await app.inject({ method, url: `/admin/v1${route}`, headers: { authorization: `Bearer ${token}` }, payload: body as object });
      return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : null };
    },
    async close() {
      await app.close();
      await store.close();
      blobs.close();
    },
  };
}
