import fs from 'node:fs';
import { pino } from 'pino';
import { VirtualClock, type Clock } from '../../src/clock.js';
import { loadConfig, type ConfigFlags } from '../../src/config.js';
import { startServer, type Server } from '../../src/server.js';
import { tempDir } from './temp-dir.js';

export { tempDir };

export const KEY_A = 'luma-api-test-client-a-0123456789abcdef';
export const KEY_B = 'luma-api-test-client-b-0123456789abcdef';

export interface TestServer {
  url: string;
  server: Server;
  dataDir: string;
  /** fetch against the server, with KEY_A unless `key` is given (null sends no Authorization). */
  call(method: string, route: string, options?: { body?: unknown; key?: string | null; headers?: Record<string, string> }): Promise<Response>;
  close(): Promise<void>;
}

/** A real server on a free loopback port, with a fresh data dir and two clients; URL inputs may use loopback fakes. */
export async function startTestServer(
  flags: ConfigFlags = {},
  options: { env?: NodeJS.ProcessEnv; clock?: Clock } = {},
): Promise<TestServer> {
  const dataDir = flags.dataDir ?? tempDir();
  const config = loadConfig(
    { port: '0', dataDir, apiKeys: `${KEY_A},${KEY_B}`, rpm: '0', maxConcurrent: '0', pollIntervalMs: '50', allowPrivateUrls: 'true', ...flags },
    options.env ?? {},
  );
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const server = await startServer(config, { logger, clock: options.clock });
  const url = server.url;
  return {
    url,
    server,
    dataDir,
    call(method, route, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      const key = options.key === undefined ? KEY_A : options.key;
      if (key !== null) headers.authorization = `Bearer ${key}`;
      let body: string | undefined;
      if (options.body !== undefined) {
        body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
        headers['content-type'] ??= 'application/json';
      }
      return fetch(url + route, { method, headers, body });
    },
    async close() {
      await server.close();
      if (!flags.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls until the generation is terminal. */
export async function waitForGeneration(ts: TestServer, id: string, key?: string, timeoutMs = 30_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const res = await ts.call('GET', `/v1/generations/${id}`, { key });
    const body = await res.json();
    if (body.state === 'completed' || body.state === 'failed') return body;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`generation ${id} did not finish in ${timeoutMs} ms`);
}

/** Submits and waits; returns the terminal generation. */
export async function generate(ts: TestServer, body: unknown, key?: string): Promise<any> {
  const res = await ts.call('POST', '/v1/generations', { body, key });
  const created = await res.json();
  if (res.status !== 201) throw new Error(`submit failed: ${res.status} ${JSON.stringify(created)}`);
  return waitForGeneration(ts, created.id, key);
}

export async function download(url: string): Promise<Buffer> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`download failed: ${res.status} ${await res.text()}`);
  return Buffer.from(await res.arrayBuffer());
}

/** A clock tests move by hand (in milliseconds); the server's waits wake when it moves. */
export class ManualClock extends VirtualClock {}
