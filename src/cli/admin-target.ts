import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { Authenticator } from '../accounts/index.js';
import { createApp } from '../api/app.js';
import { adminRoutes } from '../api/routes/admin.js';
import { systemClock } from '../clock.js';
import { loadConfig } from '../config.js';
import { Metrics } from '../metrics.js';
import { loadSecret } from '../storage/index.js';
import { openStore, queue } from '../store/index.js';

export interface AdminRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT';
  path: string;
  body?: unknown;
}

export interface AdminResponse {
  status: number;
  body: any;
}

/** Where admin commands go: a running server over HTTP, or a stopped server's data dir directly. */
export interface AdminTarget {
  send(request: AdminRequest): Promise<AdminResponse>;
  close(): Promise<void>;
}

export function httpTarget(url: string, token: string): AdminTarget {
  return {
    async send({ method, path: route, body }) {
      const res = await fetch(`${url.replace(/\/+$/, '')}/admin/v1${route}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    },
    close: async () => undefined,
  };
}

/** The same admin routes, served in-process over the data dir's store (no port is opened). */
export async function dataDirTarget(dataDir: string): Promise<AdminTarget> {
  const token = randomBytes(16).toString('hex');
  const config = loadConfig({ dataDir, adminToken: token }, {});
  const store = await openStore({ dataDir: config.dataDir });
  const metrics = new Metrics(() => queue.countJobs(store.db));
  const app = createApp({ logger: pino({ level: 'silent' }), bodyLimit: config.bodyLimit, metrics });
  adminRoutes(app, { config, store, clock: systemClock, auth: new Authenticator(store, systemClock), secret: loadSecret(config.dataDir) });
  await app.ready();
  return {
    async send({ method, path: route, body }) {
      const res = await app.inject({ method, url: `/admin/v1${route}`, headers: { authorization: `Bearer ${token}` }, payload: body as object });
      return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : null };
    },
    async close() {
      await app.close();
      await store.close();
    },
  };
}
