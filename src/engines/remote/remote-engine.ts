import type { Logger } from 'pino';
import type { TProperties } from '@sinclair/typebox';
import type { FailureCode, GenerationKind, Layer } from '../../contract/index.js';
import type { EngineEntry } from '../../contract/routing-config.js';
import type { StoredRequest } from '../../generations/records.js';
import type { EngineInput } from '../engine.js';
import type { EngineCallbacks } from './callbacks.js';
import type { UpstreamHttp } from './upstream-http.js';

/**
 * What an upstream job is known by. The machinery stores it (job row, then the generation)
 * BEFORE `wait` is called, so a worker that dies is replaced by one that resumes waiting on
 * the same upstream job instead of submitting again.
 */
export interface UpstreamHandle {
  /** The backend's own job id: a Luma generation id, a ComfyUI prompt_id, a Cog prediction id. */
  id: string;
  /** Anything else needed to resume (JSON, kept small: < 4 KB), e.g. ComfyUI's client_id. */
  state?: Record<string, unknown>;
}

/** One generation as a remote engine sees it. */
export interface RemoteJob {
  generationId: string;
  /** Validated, every default applied; refs described without inline bytes (`source.generation_id` etc. kept). */
  request: StoredRequest;
  /** The inputs, fetched, decoded and checked: image bytes, or a video file on disk. */
  inputs: EngineInput[];
  /**
   * Stable for this (generation, engine, try): send it upstream as an idempotency key where the
   * backend takes one, so a submit retried after a lost response is not run twice.
   */
  idempotencyKey: string;
}

/** What the machinery gives every call. */
export interface RemoteContext {
  /** Aborted on cancel, lease loss, shutdown or the engine's `job_timeout_ms`. */
  signal: AbortSignal;
  /** Fraction done, 0..1, and what the backend is doing (the `progress` extension field shows both; default stage `generating`). */
  progress(fraction: number, stage?: string): void;
  logger: Logger;
  /** HTTP to this engine's backend: base URL, auth, timeouts, 429/Retry-After, error classes, metrics. */
  http: UpstreamHttp;
  /** Sleeps, waking early (and rejecting) on abort. */
  sleep(ms: number): Promise<void>;
  now(): number;
  /**
   * The upstream handle this same engine got for another generation of ours, so a chained
   * ref (`generation_id`) can be passed upstream as the backend's own id. Undefined when that
   * generation was served elsewhere: send its bytes instead.
   */
  upstreamOf(generationId: string): Promise<UpstreamHandle | undefined>;
}

/** One output file, handed back for re-homing: the machinery copies it into our blob store and checks it. */
export interface RemoteOutput {
  type: 'image' | 'video' | 'exr';
  /** Exactly one of `bytes` and `url`. A URL is downloaded by the machinery (size-limited, with `headers`). */
  bytes?: Buffer;
  url?: string;
  headers?: Record<string, string>;
  /** What the backend says it is; checked against the file's magic bytes. */
  mediaType?: string;
  /** Layering outputs only. */
  layer?: Layer;
}

export interface EngineFailure {
  failureCode: FailureCode;
  /** Shown to the client: clear, ours. */
  failureReason: string;
  /**
   * True when another try (this engine later, or the next in the chain) is safe: the backend
   * did not accept the work, lost it, or failed it on its side (5xx, timeout, 429, crash).
   * False for what another try would fail the same way (bad input, moderation, 4xx).
   */
  retryable: boolean;
  /** The backend's own text: logged, never shown. */
  detail?: string;
}

export type SubmitResult =
  | { kind: 'submitted'; handle: UpstreamHandle }
  /** Synchronous backends (an OpenAI-compatible server) answer with the files at once. */
  | { kind: 'done'; outputs: RemoteOutput[] }
  | { kind: 'failed'; failure: EngineFailure };

export type WaitResult = { kind: 'done'; outputs: RemoteOutput[] } | { kind: 'failed'; failure: EngineFailure };

/**
 * An engine whose work happens on another machine. It never touches the database or the blob
 * store, holds no CPU worker slot while it waits, and returns failures rather than throwing
 * them (a thrown error counts as a retryable `generation_failed`).
 */
export interface RemoteEngine {
  readonly kind: 'remote';
  /** The config entry's name (`engines.<name>`), unique per server. */
  readonly name: string;
  /** The engine type (`luma`, `openai-images`, `comfyui`, `cog`). */
  readonly type: string;
  /** Generation types it can serve; routes to other types are refused at start. */
  readonly serves: readonly GenerationKind[];
  /** Starts the work upstream and returns as soon as the backend accepted it. Must not wait for the result. */
  submit(job: RemoteJob, ctx: RemoteContext): Promise<SubmitResult>;
  /**
   * Waits until the upstream job ends, reporting progress. Called right after `submit` and
   * again, in a fresh process, after a crash: it must only read upstream, never resubmit.
   */
  wait(handle: UpstreamHandle, job: RemoteJob, ctx: RemoteContext): Promise<WaitResult>;
  /** Best effort: asks the backend to stop (a client's cancel, `job_timeout_ms`). Never called for a shutdown or a lost lease. */
  cancel?(handle: UpstreamHandle, ctx: RemoteContext): Promise<void>;
  /** Releases sockets, timers and the like at shutdown. */
  close?(): Promise<void>;
}

/** What a factory may use to build its engine; nothing else. */
export interface RemoteEngineDeps {
  logger: Logger;
  /** Directory of the config file: relative paths in an entry (a ComfyUI workflow) resolve against it. */
  configDir: string;
  /** Posts a backend sends back about its jobs (Cog's webhooks); absent where nothing stores them. */
  callbacks?: EngineCallbacks;
}

/**
 * Registers an engine type. `fields` is its TypeBox properties on top of the common entry
 * fields (declared in `src/contract/routing-config.ts`); the loader validates an entry of this
 * type against both and hands `create` the result with its secrets resolved.
 */
export interface RemoteEngineFactory<Fields = Record<string, unknown>> {
  type: string;
  fields: TProperties;
  /** Generation types this engine type can serve (a per-entry `serves` may narrow it). */
  serves: readonly GenerationKind[];
  /** `base_url` when an entry gives none; without it, entries must give one. */
  defaultBaseUrl?: string;
  create(entry: ResolvedEngineEntry<Fields>, deps: RemoteEngineDeps): RemoteEngine;
}

/** A config entry after validation: defaults applied, `{ env: NAME }` secrets replaced by their values. */
export type ResolvedEngineEntry<Fields = Record<string, unknown>> = Omit<EngineEntry, 'api_key' | 'headers' | 'serves'> &
  Required<Pick<EngineEntry, 'in_flight' | 'request_timeout_ms' | 'job_timeout_ms' | 'poll_interval_ms' | 'rate_limit_give_up_ms' | 'max_output_bytes'>> & {
    name: string;
    /** The types this entry serves: the type's, or the entry's narrower `serves`. */
    serves: readonly GenerationKind[];
    apiKey?: string;
    headers: Record<string, string>;
    breaker: { failures: number; cooldown_ms: number };
  } & Fields;
