import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError, MissingApiKeyError } from './errors.js';
import { apiBaseUrl } from './base-url.js';
import { connectionReason } from './connection-reason.js';
import { systemClock } from '../clock.js';
import { sleep } from './sleep.js';

export interface ClientOptions {
  /** Defaults to LUMA_AGENTS_API_KEY. */
  apiKey?: string;
  /** Defaults to LUMA_BASE_URL, then a local Atelier at http://127.0.0.1:8080/v1; a bare origin gets `/v1`. */
  baseURL?: string;
  /** Per attempt, in ms (default 60 000, as the official SDKs). */
  timeout?: number;
  /** Retries after the first attempt (default 2). */
  maxRetries?: number;
  /** Sent on every request; LUMA_CUSTOM_HEADERS is merged under these. */
  defaultHeaders?: Record<string, string>;
  /** Where to read LUMA_* variables from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Receives one line per attempt; LUMA_LOG=debug sends them to stderr. */
  log?: (line: string) => void;
}

export interface RequestOptions {
  signal?: AbortSignal;
  headers?: Record<string, string>;
  timeout?: number;
  maxRetries?: number;
}

export const DEFAULT_BASE_URL = 'http://127.0.0.1:8080/v1';
const RETRYABLE = new Set([408, 409, 429]);

/** `Name: value` lines, as LUMA_CUSTOM_HEADERS holds them. */
export function parseHeaderLines(text: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of (text ?? '').split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/** Milliseconds the server asked us to wait: `retry-after-ms`, then `retry-after` (seconds or an HTTP date). */
export function retryAfterMs(headers: Headers, now = systemClock.now()): number | null {
  const ms = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers.get('retry-after');
  if (value === null) return null;
  const seconds = Number.parseFloat(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** 0.5 s × 2^n, capped at 8 s, minus up to 25 % jitter: the official SDKs' schedule. */
export function backoffMs(retry: number): number {
  return Math.min(500 * 2 ** retry, 8000) * (1 - Math.random() * 0.25);
}

function shouldRetry(res: Response): boolean {
  const forced = res.headers.get('x-should-retry');
  if (forced === 'true') return true;
  if (forced === 'false') return false;
  return RETRYABLE.has(res.status) || res.status >= 500;
}

async function errorFrom(res: Response): Promise<APIError> {
  const text = await res.text().catch(() => '');
  let detail = text || res.statusText;
  try {
    const body = JSON.parse(text);
    if (typeof body?.detail === 'string') detail = body.detail;
  } catch {
    // not JSON: keep the raw text
  }
  return APIError.from(res.status, detail, res.headers.get('x-request-id'), res.headers);
}

/** fetch's `TypeError: fetch failed` turned into which URL failed and why, in words. */
function connectionError(url: string, cause: unknown): APIConnectionError {
  const reason = connectionReason(cause);
  return new APIConnectionError(`Could not reach ${url}: ${reason}. Is the server running? Set LUMA_BASE_URL (or baseURL) to its address.`, {
    cause,
    url,
    reason,
  });
}

/** HTTP with the official SDKs' auth, headers, timeouts and retry policy. */
export class Transport {
  readonly baseURL: string;
  private readonly apiKey: string;
  private readonly headers: Record<string, string>;
  private readonly timeout: number;
  private readonly maxRetries: number;
  private readonly log: ((line: string) => void) | undefined;

  constructor(options: ClientOptions = {}) {
    const env = options.env ?? process.env;
    const apiKey = options.apiKey ?? env.LUMA_AGENTS_API_KEY;
    if (!apiKey) throw new MissingApiKeyError();
    this.apiKey = apiKey;
    this.baseURL = apiBaseUrl(options.baseURL || env.LUMA_BASE_URL || DEFAULT_BASE_URL);
    this.log = options.log ?? (env.LUMA_LOG === 'debug' ? (line) => process.stderr.write(`${line}\n`) : undefined);
    this.headers = { ...parseHeaderLines(env.LUMA_CUSTOM_HEADERS), ...options.defaultHeaders };
    this.timeout = options.timeout ?? 60_000;
    this.maxRetries = options.maxRetries ?? 2;
  }

  /** One API call with retries; `body` is sent as JSON, or as multipart when it is FormData. A 204 gives undefined. */
  async request<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body: unknown, options: RequestOptions = {}): Promise<T> {
    const maxRetries = options.maxRetries ?? this.maxRetries;
    for (let retry = 0; ; retry++) {
      const outcome = await this.attempt(method, path, body, retry, options);
      if (outcome instanceof Response) return (outcome.status === 204 ? undefined : await outcome.json()) as T;
      const { error, waitMs } = outcome;
      if (waitMs === null || retry >= maxRetries) throw error;
      await sleep(waitMs, options.signal).catch(() => {
        throw new APIUserAbortError();
      });
    }
  }

  /** A streaming GET (Server-Sent Events): one try; the body is read for as long as the caller wants. */
  async openStream(path: string, headers: Record<string, string>, signal?: AbortSignal): Promise<Response> {
    const url = this.baseURL + path;
    let res: Response;
    try {
      res = await fetch(url, { headers: { accept: 'text/event-stream', authorization: `Bearer ${this.apiKey}`, ...this.headers, ...headers }, signal });
    } catch (cause) {
      if (signal?.aborted) throw new APIUserAbortError();
      throw connectionError(url, cause);
    }
    if (!res.ok) throw await errorFrom(res);
    return res;
  }

  /** One try: the response when it succeeded, else the error and how long to wait before retrying (null: don't). */
  private async attempt(
    method: string,
    path: string,
    body: unknown,
    retry: number,
    options: RequestOptions,
  ): Promise<Response | { error: Error; waitMs: number | null }> {
    if (options.signal?.aborted) throw new APIUserAbortError();
    const timeout = options.timeout ?? this.timeout;
    const timer = AbortSignal.timeout(timeout);
    const signal = options.signal ? AbortSignal.any([options.signal, timer]) : timer;
    const headers: Record<string, string> = {
      accept: 'application/json',
      authorization: `Bearer ${this.apiKey}`,
      'x-stainless-retry-count': String(retry),
      ...this.headers,
      ...options.headers,
    };
    const form = body instanceof FormData;
    if (body !== undefined && !form) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      const payload = body === undefined ? undefined : form ? body : JSON.stringify(body);
      res = await fetch(this.baseURL + path, { method, headers, body: payload, signal });
    } catch (cause) {
      if (options.signal?.aborted) throw new APIUserAbortError();
      const url = this.baseURL + path;
      const error = timer.aborted
        ? new APIConnectionTimeoutError(`Request to ${url} timed out after ${timeout} ms`, { cause, url, reason: `timed out after ${timeout} ms` })
        : connectionError(url, cause);
      this.log?.(`${method} ${this.baseURL + path} (try ${retry + 1}): ${error.message}`);
      return { error, waitMs: backoffMs(retry) };
    }
    this.log?.(`${method} ${this.baseURL + path} (try ${retry + 1}): ${res.status} request-id=${res.headers.get('x-request-id')}`);
    if (res.ok) return res;
    const retryable = shouldRetry(res);
    const error = await errorFrom(res);
    return { error, waitMs: retryable ? (retryAfterMs(res.headers) ?? backoffMs(retry)) : null };
  }
}
