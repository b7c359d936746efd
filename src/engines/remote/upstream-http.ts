import fs from 'node:fs';
import { Agent, interceptors, request, type Dispatcher } from 'undici';
import { systemClock } from '../../clock.js';
import { errorMessage } from '../../errors.js';
import type { EngineFailure } from './remote-engine.js';

export interface UpstreamRequest {
  /** A JSON body (sent with Content-Type: application/json). */
  json?: unknown;
  /** A raw body, e.g. multipart FormData, with its own content type. */
  body?: Buffer | FormData | string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  /** Sent as `Idempotency-Key`. */
  idempotencyKey?: string;
  /** Overrides `requestTimeoutMs` for a call the backend holds while it works (Cog's synchronous prediction). */
  timeoutMs?: number;
}

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** The body parsed as JSON; undefined when it isn't JSON. */
  json<T = unknown>(): T | undefined;
  /** The body as text, cut to `max` characters: for logs (`EngineFailure.detail`). */
  text(max?: number): string;
}

/**
 * The outcome of one call. 2xx and 4xx other than 429 come back as a response for the engine to
 * read; 5xx, network errors and timeouts as a retryable `generation_failed`; 429s are waited out
 * (Retry-After honoured) until `rate_limit_give_up_ms`, then a retryable `rate_limited`.
 */
export type UpstreamCall = { ok: true; response: UpstreamResponse } | { ok: false; failure: EngineFailure };

export interface UpstreamHttp {
  readonly baseUrl: string;
  /** `path` is joined to the base URL (`/generations` → `<base_url>/generations`); an absolute URL is used as is. */
  call(method: string, path: string, options?: UpstreamRequest, signal?: AbortSignal): Promise<UpstreamCall>;
  /**
   * GETs an output file, at most `maxBytes`. The engine's key and headers go only to its own
   * origin (a presigned storage URL gets `headers` alone). Used by the machinery to re-home outputs.
   */
  download(url: string, maxBytes: number, headers?: Record<string, string>, signal?: AbortSignal): Promise<Download>;
  /** The same, streamed into `file` (a large video is never held in memory); a failed download leaves no file. */
  downloadToFile(url: string, file: string, maxBytes: number, headers?: Record<string, string>, signal?: AbortSignal): Promise<Saved>;
  close(): Promise<void>;
}

type DownloadFailure = { ok: false; reason: 'not_found' | 'too_large' | 'failed'; detail: string };
export type Download = { ok: true; bytes: Buffer; contentType: string | undefined } | DownloadFailure;
export type Saved = { ok: true; size: number; contentType: string | undefined } | DownloadFailure;

/** Where a download's body goes, chunk by chunk. */
interface Sink {
  write(chunk: Buffer): void | Promise<void>;
}

export interface UpstreamHttpOptions {
  engine: string;
  baseUrl: string;
  /** Sent as `Authorization: Bearer <key>` unless `headers` sets Authorization. */
  apiKey?: string;
  headers: Record<string, string>;
  requestTimeoutMs: number;
  rateLimitGiveUpMs: number;
  /** Called after every response or network failure: metrics. */
  onCall?(call: { engine: string; status: number | 'error'; ms: number }): void;
  /** Overridable for tests; real time otherwise. */
  sleep?(ms: number, signal?: AbortSignal): Promise<void>;
  now?(): number;
}

const DEFAULT_RETRY_AFTER_MS = 1000;

/** Retry-After in seconds or as an HTTP date → milliseconds to wait. */
export function retryAfterMs(value: string | undefined, now: number): number {
  if (!value) return DEFAULT_RETRY_AFTER_MS;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - now) : DEFAULT_RETRY_AFTER_MS;
}

/**
 * A signal that aborts after `ms` or with `parent`, whichever comes first; `clear()` drops its timer
 * and its listener on the parent. Unlike AbortSignal.timeout/any, nothing outlives the call: a
 * job polling every second would otherwise leave a 30 s timer and a listener per poll behind.
 */
export function deadline(ms: number, parent?: AbortSignal): { signal: AbortSignal; timedOut(): boolean; clear(): void } {
  const controller = new AbortController();
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    controller.abort(new DOMException(`timed out after ${ms} ms`, 'TimeoutError'));
  }, ms);
  const onAbort = () => controller.abort(parent!.reason);
  if (parent?.aborted) onAbort();
  else parent?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => expired,
    clear() {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onAbort);
    },
  };
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

const failure = (failureCode: EngineFailure['failureCode'], failureReason: string, detail?: string): EngineFailure => ({
  failureCode,
  failureReason,
  retryable: true,
  detail,
});

function toResponse(status: number, rawHeaders: Dispatcher.ResponseData['headers'], body: Buffer): UpstreamResponse {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(rawHeaders)) if (value !== undefined) headers[key] = Array.isArray(value) ? value.join(', ') : value;
  return {
    status,
    headers,
    body,
    json<T>() {
      try {
        return JSON.parse(body.toString('utf8')) as T;
      } catch {
        return undefined;
      }
    },
    text: (max = 500) => body.toString('utf8').slice(0, max),
  };
}

/** One pooled HTTP client per engine (undici), shared by all its jobs. */
export function createUpstreamHttp(options: UpstreamHttpOptions): UpstreamHttp {
  // Timeouts are the AbortSignals below; undici's own 300 s header and body timeouts would cut longer calls short.
  const agent = new Agent({ keepAliveTimeout: 10_000, connections: null, pipelining: 1, headersTimeout: 0, bodyTimeout: 0 });
  const downloads = agent.compose(interceptors.redirect({ maxRedirections: 3 }));
  const sleep = options.sleep ?? abortableSleep;
  const now = options.now ?? (() => systemClock.now());
  const base = options.baseUrl.replace(/\/+$/, '');
  const baseHeaders: Record<string, string> = { 'user-agent': 'atelier', ...lower(options.headers) };
  if (options.apiKey && !baseHeaders.authorization) baseHeaders.authorization = `Bearer ${options.apiKey}`;

  async function once(method: string, url: string, init: UpstreamRequest, signal?: AbortSignal): Promise<UpstreamCall> {
    // A plain poll sends the base headers as they are: no copy per call.
    const plain = !init.headers && init.json === undefined && !init.idempotencyKey;
    const headers: Record<string, string> = plain ? baseHeaders : { ...baseHeaders, ...lower(init.headers ?? {}) };
    let body: Buffer | FormData | string | undefined = init.body;
    if (init.json !== undefined) {
      body = JSON.stringify(init.json);
      headers['content-type'] = 'application/json';
    }
    if (init.idempotencyKey) headers['idempotency-key'] = init.idempotencyKey;
    const timeoutMs = init.timeoutMs ?? options.requestTimeoutMs;
    const timeout = deadline(timeoutMs, signal);
    const started = now();
    try {
      const res = await request(url, {
        method: method as Dispatcher.HttpMethod,
        headers,
        body: body as never,
        dispatcher: agent,
        signal: timeout.signal,
      });
      const bytes = Buffer.from(await res.body.arrayBuffer());
      options.onCall?.({ engine: options.engine, status: res.statusCode, ms: now() - started });
      const response = toResponse(res.statusCode, res.headers, bytes);
      if (res.statusCode >= 500) {
        return { ok: false, failure: failure('generation_failed', 'The generation backend failed', `HTTP ${res.statusCode}: ${response.text()}`) };
      }
      return { ok: true, response };
    } catch (err) {
      if (signal?.aborted) throw signal.reason ?? err;
      options.onCall?.({ engine: options.engine, status: 'error', ms: now() - started });
      const timedOut = timeout.timedOut();
      return {
        ok: false,
        failure: failure(
          'generation_failed',
          timedOut ? 'The generation backend did not answer in time' : 'The generation backend could not be reached',
          `${method} ${url}: ${timedOut ? `no answer in ${timeoutMs} ms` : errorMessage(err)}`,
        ),
      };
    } finally {
      timeout.clear();
    }
  }

  return {
    baseUrl: base,
    async call(method, path, init = {}, signal) {
      let url = /^https?:\/\//.test(path) ? path : `${base}${path.startsWith('/') ? '' : '/'}${path}`;
      if (init.query) {
        const withQuery = new URL(url);
        for (const [key, value] of Object.entries(init.query)) withQuery.searchParams.set(key, value);
        url = withQuery.toString();
      }
      const giveUpAt = now() + options.rateLimitGiveUpMs;
      for (;;) {
        const result = await once(method, url, init, signal);
        if (!result.ok || result.response.status !== 429) return result;
        const wait = retryAfterMs(result.response.headers['retry-after'], now());
        if (now() + wait > giveUpAt) {
          return { ok: false, failure: failure('rate_limited', 'The generation backend is rate limiting requests', `HTTP 429: ${result.response.text()}`) };
        }
        await sleep(wait, signal);
      }
    },
    async download(url, maxBytes, headers = {}, signal) {
      const chunks: Buffer[] = [];
      const got = await fetchInto(url, maxBytes, headers, signal, { write: (chunk) => void chunks.push(chunk) });
      return got.ok ? { ok: true, bytes: Buffer.concat(chunks, got.size), contentType: got.contentType } : got;
    },
    async downloadToFile(url, file, maxBytes, headers = {}, signal) {
      const handle = await fs.promises.open(file, 'w');
      let got: Saved;
      try {
        got = await fetchInto(url, maxBytes, headers, signal, { write: async (chunk) => void (await handle.write(chunk)) });
      } finally {
        await handle.close();
      }
      if (!got.ok) await fs.promises.rm(file, { force: true });
      return got;
    },
    close: () => agent.close(),
  };

  /** GETs `url` into `sink`, at most `maxBytes`; the engine's key and headers only to its own origin. */
  async function fetchInto(url: string, maxBytes: number, headers: Record<string, string>, signal: AbortSignal | undefined, sink: Sink): Promise<Saved> {
    const sameOrigin = new URL(url).origin === new URL(base).origin;
    const timeout = deadline(Math.max(options.requestTimeoutMs, 120_000), signal);
    const started = now();
    try {
      const res = await request(url, {
        method: 'GET',
        headers: { ...(sameOrigin ? baseHeaders : { 'user-agent': 'atelier' }), ...lower(headers) },
        dispatcher: downloads,
        signal: timeout.signal,
      });
      options.onCall?.({ engine: options.engine, status: res.statusCode, ms: now() - started });
      if (res.statusCode !== 200) {
        await res.body.dump();
        return { ok: false, reason: res.statusCode === 404 || res.statusCode === 403 ? 'not_found' : 'failed', detail: `GET ${url}: HTTP ${res.statusCode}` };
      }
      const declared = Number(res.headers['content-length']);
      if (declared > maxBytes) {
        await res.body.dump();
        return { ok: false, reason: 'too_large', detail: `GET ${url}: ${declared} bytes, over ${maxBytes}` };
      }
      let size = 0;
      for await (const chunk of res.body) {
        size += chunk.length;
        if (size > maxBytes) {
          res.body.destroy();
          return { ok: false, reason: 'too_large', detail: `GET ${url}: over ${maxBytes} bytes` };
        }
        await sink.write(chunk as Buffer);
      }
      const type = res.headers['content-type'];
      return { ok: true, size, contentType: Array.isArray(type) ? type[0] : type };
    } catch (err) {
      if (signal?.aborted) throw signal.reason ?? err;
      options.onCall?.({ engine: options.engine, status: 'error', ms: now() - started });
      return { ok: false, reason: 'failed', detail: `GET ${url}: ${timeout.timedOut() ? 'timed out' : errorMessage(err)}` };
    } finally {
      timeout.clear();
    }
  }
}

const lower = (headers: Record<string, string>) => Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
