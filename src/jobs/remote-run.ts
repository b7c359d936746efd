import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { FAILURE_REASONS } from '../contract/index.js';
import type { ChainLink, EngineContext, EngineInput, OutputFile, Routing } from '../engines/index.js';
import { rehomeOutputs } from '../engines/remote/rehome.js';
import type { EngineFailure, RemoteContext, RemoteJob, RemoteOutput, UpstreamHandle } from '../engines/remote/remote-engine.js';
import { abortableSleep, deadline } from '../engines/remote/upstream-http.js';
import { errorMessage } from '../errors.js';
import type { Events } from '../events.js';
import type { StoredRequest } from '../generations/index.js';
import type { PixelLimits } from '../media/image.js';
import type { VideoToolkit } from '../media/video/index.js';
import { generations, type Store } from '../store/index.js';
import type { EngineRun } from './run-job.js';

/** What `generations.upstream` holds: the current remote try, written before it is waited on. */
export interface UpstreamTry {
  engine: string;
  /** The submit's idempotency key, the same when a lost submit is sent again. */
  key: string;
  /** Set once the backend accepted the work. */
  handle?: UpstreamHandle;
  submittedAt?: number;
  /** Tries that failed, by engine: the next try's key counts on from them. */
  failed: Record<string, number>;
}

export interface RemoteRunDeps {
  store: Store;
  routing: Routing;
  events: Events;
  logger: Logger;
  clock: Clock;
  limits: PixelLimits;
  video?: VideoToolkit;
}

export interface RemoteRunJob {
  generationId: string;
  clientId: string;
  workerId: string;
  request: StoredRequest;
  /** `generations.upstream` as claimed: a try to resume, or null. */
  upstream: string | null;
}

/** Thrown when the job's lease went to another worker: it resumes the job, this one lets go. */
export class LeaseLost extends Error {}

type Tried = { ok: true; outputs: { ok: true; outputs: OutputFile[] } } | { ok: false; failure: EngineFailure };

const unexpected = (err: unknown): EngineFailure => ({
  failureCode: 'generation_failed',
  failureReason: FAILURE_REASONS.generation_failed,
  retryable: true,
  detail: errorMessage(err),
});

/**
 * Runs a generation's chain: each remote try is recorded before it is waited on and resumed
 * after a crash, retryable failures move on to the next engine (skipping open breakers), and
 * the outputs are re-homed and checked before anything completes.
 */
export function remoteRun(deps: RemoteRunDeps, job: RemoteRunJob): EngineRun {
  return async (inputs, ctx) => {
    const { routing, events } = deps;
    const chain = routing.chain(job.request.model, job.request.type);
    let current = parseTry(job.upstream);
    const resumeAt = current ? chain.findIndex((link) => link.name === current!.engine) : 0;
    if (resumeAt < 0) current = current && { engine: '', key: '', failed: current.failed }; // its engine left the routing file
    let last: EngineFailure | undefined;
    for (let i = Math.max(0, resumeAt); i < chain.length; i++) {
      const link = chain[i];
      const resuming = current?.engine === link.name ? current : undefined;
      if (link.kind === 'local') {
        if (!(await record(deps, job, link.name, null))) throw new LeaseLost();
        return link.engine(job.request, inputs, ctx);
      }
      let tried: Tried;
      if (!resuming?.handle && !link.breaker.allow()) {
        tried = { ok: false, failure: { failureCode: 'generation_failed', failureReason: FAILURE_REASONS.generation_failed, retryable: true, detail: 'breaker open' } };
      } else {
        tried = await tryRemote({ deps, job, link, resuming, failed: current?.failed ?? {}, inputs, ctx });
      }
      if (tried.ok) return tried.outputs;
      last = tried.failure;
      deps.logger.warn({ generationId: job.generationId, engine: link.name, code: last.failureCode, detail: last.detail, retryable: last.retryable }, 'engine try failed');
      if (!last.retryable) break;
      const failed = { ...(current?.failed ?? {}), [link.name]: (current?.failed[link.name] ?? 0) + 1 };
      current = { engine: '', key: '', failed };
      const next = chain[i + 1];
      if (next) events.emit('engine:fallback', { generationId: job.generationId, from: link.name, to: next.name, code: last.failureCode });
    }
    const failure = last ?? unexpected('empty chain');
    return { ok: false, failureCode: failure.failureCode, failureReason: failure.failureReason };
  };
}

/** One try of one remote engine for a job, and what it starts from. */
interface Attempt {
  deps: RemoteRunDeps;
  job: RemoteRunJob;
  link: Extract<ChainLink, { kind: 'remote' }>;
  /** The stored try of this engine to resume, if any. */
  resuming: UpstreamTry | undefined;
  failed: Record<string, number>;
  inputs: EngineInput[];
  ctx: EngineContext;
}

/** Runs a try under the job's abort and the engine's `job_timeout_ms` (counted from the first submit when resumed). */
async function tryRemote(attempt: Attempt): Promise<Tried> {
  const { deps, job, link, resuming, failed, ctx } = attempt;
  const started = deps.clock.now();
  const key = resuming?.key || `atelier-${job.generationId}-${link.name}-${(failed[link.name] ?? 0) + 1}`;
  const since = resuming?.submittedAt ?? started;
  const timeout = deadline(Math.max(1, link.entry.job_timeout_ms - (started - since)), ctx.signal);
  try {
    return await tryWithin(attempt, key, started, timeout);
  } finally {
    timeout.clear();
  }
}

async function tryWithin({ deps, job, link, resuming, failed, inputs, ctx }: Attempt, key: string, started: number, timeout: ReturnType<typeof deadline>): Promise<Tried> {
  const { engine, entry, http, breaker } = link;
  const { clock, events } = deps;
  const signal = timeout.signal;
  const remoteJob: RemoteJob = { generationId: job.generationId, request: job.request, inputs, idempotencyKey: key };
  const rctx: RemoteContext = {
    signal,
    progress: ctx.progress,
    logger: deps.logger.child({ engine: link.name, generationId: job.generationId }),
    http,
    sleep: (ms) => abortableSleep(ms, signal),
    now: () => clock.now(),
    upstreamOf: async (generationId) => {
      const row = await generations.getUpstream(deps.store.db, generationId, job.clientId);
      const previous = row?.engine === link.name ? parseTry(row.upstream) : undefined;
      return previous?.engine === link.name ? previous.handle : undefined;
    },
  };
  const count = (code: string | null, retryable: boolean) => {
    if (retryable) breaker.failure();
    else breaker.success();
    events.emit('engine:finished', { engine: link.name, code, ms: clock.now() - started });
  };
  const end = (failure: EngineFailure): Tried => {
    count(failure.failureCode, failure.retryable);
    return { ok: false, failure };
  };
  const stopUpstream = (handle: UpstreamHandle) =>
    engine.cancel?.(handle, { ...rctx, signal: AbortSignal.timeout(entry.request_timeout_ms) }).catch(() => undefined);

  let handle = resuming?.handle;
  let outputs: RemoteOutput[];
  try {
    if (!handle) {
      if (!(await record(deps, job, link.name, { engine: link.name, key, failed }))) throw new LeaseLost();
      const submitted = await engine.submit(remoteJob, rctx).catch((err: unknown) => ({ kind: 'failed' as const, failure: thrown(err, signal) }));
      if (submitted.kind === 'failed') return end(submitted.failure);
      if (submitted.kind === 'submitted') {
        handle = submitted.handle;
        if (!(await record(deps, job, link.name, { engine: link.name, key, handle, submittedAt: clock.now(), failed }))) throw new LeaseLost();
      } else outputs = submitted.outputs;
    }
    if (handle) {
      const waited = await engine.wait(handle, remoteJob, rctx).catch((err: unknown) => ({ kind: 'failed' as const, failure: thrown(err, signal) }));
      if (waited.kind === 'failed') return end(waited.failure);
      outputs = waited.outputs;
    }
  } catch (err) {
    if (ctx.signal.aborted) {
      // Cancelled: the upstream job stops too. Lease lost or shutting down: it is resumed later.
      if (handle && (await cancelled(deps, job))) await stopUpstream(handle);
      throw ctx.signal.reason ?? err;
    }
    if (!timeout.timedOut()) throw err;
    if (handle) await stopUpstream(handle);
    return end({ failureCode: 'generation_failed', failureReason: 'The generation backend did not finish in time', retryable: true, detail: `over ${entry.job_timeout_ms} ms` });
  }
  count(null, false);
  ctx.progress(1, 'storing');
  const rehomed = await rehomeOutputs(outputs!, job.request, inputs, { http, limits: deps.limits, maxBytes: entry.max_output_bytes, video: deps.video, signal: ctx.signal, workDir: ctx.workDir });
  if (!rehomed.ok) return { ok: false, failure: rehomed.failure };
  return { ok: true, outputs: { ok: true, outputs: rehomed.outputs } };
}

class TimedOut extends Error {}

/** A thrown error: an abort is passed on (the job is let go, or the timeout handles it); anything else is a retryable failure. */
function thrown(err: unknown, signal: AbortSignal): EngineFailure {
  if (signal.aborted) throw new TimedOut(errorMessage(err));
  return unexpected(err);
}

/** Records the engine and its try on the generation while this worker holds the lease. */
function record(deps: RemoteRunDeps, job: RemoteRunJob, engine: string, upstream: UpstreamTry | null): Promise<boolean> {
  return generations.recordUpstream(deps.store.db, job.generationId, job.workerId, engine, upstream && JSON.stringify(upstream));
}

/** After an abort: was the generation ended or removed (a cancel, a reset) under us, so the upstream job should stop too? */
async function cancelled(deps: RemoteRunDeps, job: RemoteRunJob): Promise<boolean> {
  try {
    const row = await generations.getGenerationById(deps.store.db, job.generationId);
    return !row || row.state === 'completed' || row.state === 'failed';
  } catch {
    return false;
  }
}

function parseTry(json: string | null | undefined): UpstreamTry | undefined {
  if (!json) return undefined;
  try {
    return JSON.parse(json) as UpstreamTry;
  } catch {
    return undefined;
  }
}
