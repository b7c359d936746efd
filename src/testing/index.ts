import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { Atelier, type ClientOptions } from '../client/index.js';
import { systemClock, VirtualClock } from '../clock.js';
import { loadConfig, type ConfigFlags } from '../config.js';
import { startServer } from '../server.js';

export interface StartOptions {
  /** The key the emulator accepts (default a fresh `luma-api-test-…`). */
  apiKey?: string;
  /** `virtual` (default): time stands still until `clock.advance`; `system`: real time. */
  clock?: 'virtual' | 'system';
  /** Any `atelier serve` flag, as in config.ts (`{ latency: 'realistic', timeScale: '0.01' }`). */
  flags?: ConfigFlags;
  /** pino level of the server's log (default `silent`). */
  logLevel?: string;
}

export interface RunningAtelier {
  /** Where the SDKs point: `http://127.0.0.1:<port>/v1`. */
  baseURL: string;
  /** The server's origin: `http://127.0.0.1:<port>`. */
  url: string;
  apiKey: string;
  /** Its temporary data dir, removed by `close()`. */
  dataDir: string;
  clock: {
    /** The server's time, in ms since the epoch. */
    now(): number;
    /** Moves a virtual clock forward: signed URLs, rate windows, latency plans and timeouts follow. */
    advance(seconds: number): void;
  };
  /** Gives every submission of the key this fault (`content_moderated`, `http:429`, `flaky:2` …); null clears it. */
  setFault(fault: string | null): Promise<void>;
  /** Headers that fault one request: `{ 'X-Atelier-Fault': fault }`. */
  faultHeaders(fault: string): Record<string, string>;
  /** Empties generations, files and blobs (clients and keys stay), for the next test. */
  reset(): Promise<{ generations: number; files: number }>;
  /** An SDK client for this emulator. */
  client(options?: ClientOptions): Atelier;
  close(): Promise<void>;
}

/**
 * An Atelier emulator inside the calling process, on a free loopback port with a temporary data
 * dir: for an app's own test suite (`import { startAtelier } from 'atelier/testing'`).
 */
export async function startAtelier(options: StartOptions = {}): Promise<RunningAtelier> {
  const apiKey = options.apiKey ?? `luma-api-test-${randomBytes(12).toString('hex')}`;
  const adminToken = randomBytes(16).toString('hex');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-testing-'));
  const virtual = (options.clock ?? 'virtual') === 'virtual' ? new VirtualClock(systemClock.now()) : null;
  try {
    const config = loadConfig({ host: '127.0.0.1', port: '0', dataDir, apiKeys: apiKey, adminToken, rpm: '0', maxConcurrent: '0', ...options.flags }, {});
    const server = await startServer(config, { logger: pino({ level: options.logLevel ?? 'silent' }), clock: virtual ?? systemClock });
    const admin = async (method: string, route: string, body?: unknown) => {
      const res = await fetch(`${server.url}/admin/v1${route}`, {
        method,
        headers: { authorization: `Bearer ${adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const answer = await res.json();
      if (!res.ok) throw new Error(`atelier admin ${method} ${route}: ${res.status} ${answer.detail}`);
      return answer;
    };
    let keyId: string | null = null;
    return {
      baseURL: `${server.url}/v1`,
      url: server.url,
      apiKey,
      dataDir,
      clock: {
        now: () => (virtual ?? systemClock).now(),
        advance(seconds) {
          if (!virtual) throw new Error("the clock is the system's: startAtelier({ clock: 'virtual' }) to move it");
          virtual.advance(Math.round(seconds * 1000));
        },
      },
      async setFault(fault) {
        if (!keyId) {
          const [client] = (await admin('GET', '/clients')).data;
          keyId = (await admin('GET', `/clients/${client.id}/keys`)).data[0].id;
        }
        await admin('PATCH', `/keys/${keyId}`, { fault: fault ?? 'none' });
      },
      faultHeaders: (fault) => ({ 'X-Atelier-Fault': fault }),
      reset: () => admin('POST', '/reset'),
      client: (clientOptions) => new Atelier({ baseURL: `${server.url}/v1`, apiKey, env: {}, ...clientOptions }),
      async close() {
        await server.close();
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
}
