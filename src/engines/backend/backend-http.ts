import { setTimeout as sleep } from 'node:timers/promises';
import { request, type FormData } from 'undici';
import type { FailureCode } from '../../contract/index.js';
import { BackendError } from './backend-error.js';

export interface RetryPolicy {
  /** Attempts per call, the first included. */
  attempts: number;
  /** First backoff after a 5xx or a lost connection; doubles each time. */
  backoffMs: number;
  /** A `Retry-After` longer than this (or waits adding up past it) gives up as `rate_limited`. */
  maxWaitMs: number;
}

export interface BackendHttpOptions {
  /** Names the backend in failure reasons and logs ("ComfyUI", "Cog" …). */
  label: string;
  baseUrl: string;
  headers?: Record<string, string>;
  /** Per request: until the response headers arrive and between body chunks. */
  timeoutMs: number;
  /** Largest response body read, in bytes. */
  maxBytes: number;
  retry: RetryPolicy;
  /** Reads the backend's own error body: its text, and a failure code where it names one (moderation). */
  describeError?: (body: unknown) => { text?: string; code?: FailureCode } | undefined;
}

export interface BackendRequest {
  method: 'GET' | 'POST' | 'PUT';
  /** A path under the base URL, or an absolute URL (an output link the backend gave). */
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  json?: unknown;
  form?: FormData;
  /**
   * True when sending the request twice does no harm (reads, PUTs by id). A request that
   * isn't is only repeated when the backend surely didn't take it: a 429, a 503, or a
   * connection that was refused before anything was sent.
   */
  idempotent: boolean;
  /** Overrides the client's timeout, for calls that hold the connection while the backend works. */
  timeoutMs?: number;
}

export interface BackendResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

const NOT_SENT = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'ENOTFOUND', 'EAI_AGAIN']);

/** One HTTP backend: a base URL, its auth headers, timeouts and how it's retried. */
export class BackendHttp {
  constructor(readonly options: BackendHttpOptions) {}

  url(path: string, query?: Record<string, string>): URL {
    const base = this.options.baseUrl.endsWith('/') ? this.options.baseUrl : `${this.options.baseUrl}/`;
    const url = /^https?:\/\//.test(path) ? new URL(path) : new URL(path.replace(/^\//, ''), base);
    for (const [key, value] of Object.entries(query ?? {})) url.searchParams.set(key, value);
    return url;
  }

  /** Sends `req`, retrying what is safe to retry; answers any 2xx, throws BackendError otherwise. */
  async send(req: BackendRequest, signal: AbortSignal): Promise<BackendResponse> {
    const { retry, label } = this.options;
    let waited = 0;
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= retry.attempts;
      let res: BackendResponse;
      try {
        res = await this.once(req, signal);
      } catch (err) {
        if (signal.aborted) throw err;
        const code = (err as { code?: string }).code ?? '';
        const timedOut = code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || (err as Error).name === 'TimeoutError';
        const safe = req.idempotent || NOT_SENT.has(code);
        if (last || !safe) {
          const what = timedOut ? `did not answer within ${req.timeoutMs ?? this.options.timeoutMs} ms` : `could not be reached (${code || (err as Error).message})`;
          throw new BackendError('generation_failed', `${label} ${what}`, safe || timedOut);
        }
        waited += await this.pause(retry.backoffMs * 2 ** (attempt - 1), signal);
        continue;
      }
      if (res.status >= 200 && res.status < 300) return res;
      const retryAfter = retryAfterMs(res.headers['retry-after']);
      const busy = res.status === 429 || res.status === 503;
      const canRepeat = busy || (res.status >= 500 && req.idempotent);
      if (canRepeat && !last) {
        const delay = retryAfter ?? retry.backoffMs * 2 ** (attempt - 1);
        if (waited + delay <= retry.maxWaitMs) {
          waited += await this.pause(delay, signal);
          continue;
        }
      }
      throw this.failure(res);
    }
  }

  async json<T>(req: BackendRequest, signal: AbortSignal): Promise<T> {
    const res = await this.send(req, signal);
    return parseJson<T>(res.body, this.options.label);
  }

  private async once(req: BackendRequest, signal: AbortSignal): Promise<BackendResponse> {
    const timeout = req.timeoutMs ?? this.options.timeoutMs;
    const url = this.url(req.path, req.query);
    // Credentials go to the backend only, never to a storage host its output links point at.
    const own = url.origin === new URL(this.options.baseUrl).origin;
    const headers: Record<string, string> = { ...(own ? this.options.headers : {}), ...req.headers };
    let body: string | FormData | undefined;
    if (req.json !== undefined) {
      body = JSON.stringify(req.json);
      headers['content-type'] = 'application/json';
    } else if (req.form) body = req.form;
    const res = await request(url, {
      method: req.method,
      headers,
      body,
      signal,
      headersTimeout: timeout,
      bodyTimeout: timeout,
    });
    const declared = Number(res.headers['content-length']);
    if (declared > this.options.maxBytes) {
      res.body.destroy();
      throw new BackendError('output_not_found', `${this.options.label} sent ${declared} bytes, more than the ${this.options.maxBytes} allowed`, false);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      size += chunk.length;
      if (size > this.options.maxBytes) {
        res.body.destroy();
        throw new BackendError('output_not_found', `${this.options.label} sent more than the ${this.options.maxBytes} bytes allowed`, false);
      }
      chunks.push(chunk as Buffer);
    }
    return { status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) };
  }

  private async pause(ms: number, signal: AbortSignal): Promise<number> {
    await sleep(ms, undefined, { signal });
    return ms;
  }

  /** Maps an error status to a failure code; the backend's own text goes in the reason. */
  private failure(res: BackendResponse): BackendError {
    const { label, describeError } = this.options;
    let said: { text?: string; code?: FailureCode } | undefined;
    try {
      said = describeError?.(JSON.parse(res.body.toString('utf8')));
    } catch {
      said = undefined;
    }
    const detail = said?.text ? `: ${said.text.slice(0, 300)}` : '';
    if (said?.code) return new BackendError(said.code, `${label} refused the request (HTTP ${res.status})${detail}`, false, res.status);
    if (res.status === 429) return new BackendError('rate_limited', `${label} is rate limiting requests (HTTP 429)${detail}`, true, 429);
    if (res.status === 400 || res.status === 422) return new BackendError('invalid_request', `${label} rejected the request (HTTP ${res.status})${detail}`, false, res.status);
    if (res.status === 413) return new BackendError('image_too_large', `${label} refused an input as too large (HTTP 413)${detail}`, false, 413);
    if (res.status === 401 || res.status === 403) return new BackendError('generation_failed', `${label} refused Atelier's credentials (HTTP ${res.status})${detail}`, true, res.status);
    return new BackendError('generation_failed', `${label} failed (HTTP ${res.status})${detail}`, res.status >= 500, res.status);
  }
}

export function parseJson<T>(body: Buffer, label: string): T {
  try {
    return JSON.parse(body.toString('utf8')) as T;
  } catch {
    throw new BackendError('generation_failed', `${label} answered with malformed JSON`, true);
  }
}

/** `Retry-After` as seconds or an HTTP date, in ms; undefined when absent or unreadable. */
export function retryAfterMs(value: string | string[] | undefined): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text.trim())) return Math.ceil(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
