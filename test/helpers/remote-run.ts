import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { GenerationRequest } from '../../src/contract/index.js';
import type { EngineInput } from '../../src/engines/index.js';
import { rehomeOutputs } from '../../src/engines/remote/rehome.js';
import { toolkit } from './video.js';
import type { EngineFailure, RemoteContext, RemoteEngine, RemoteEngineFactory, RemoteJob, ResolvedEngineEntry, UpstreamHandle } from '../../src/engines/remote/remote-engine.js';
import { abortableSleep, createUpstreamHttp } from '../../src/engines/remote/upstream-http.js';

/** An engine entry as the routing loader hands it over: common defaults applied. */
export function resolvedEntry<F>(name: string, fields: Partial<ResolvedEngineEntry> & F): ResolvedEngineEntry<F> {
  return {
    type: 'test',
    name,
    in_flight: 100,
    request_timeout_ms: 5_000,
    job_timeout_ms: 60_000,
    poll_interval_ms: 50,
    rate_limit_give_up_ms: 5_000,
    headers: {},
    breaker: { failures: 5, cooldown_ms: 30_000 },
    ...fields,
  } as unknown as ResolvedEngineEntry<F>;
}

/** The context the machinery gives an engine: its upstream client, an abortable sleep, progress. */
export function remoteContext(entry: ResolvedEngineEntry<unknown>, signal = new AbortController().signal): RemoteContext & { seen: number[] } {
  const seen: number[] = [];
  const http = createUpstreamHttp({
    engine: entry.name,
    baseUrl: entry.base_url!,
    apiKey: entry.apiKey,
    headers: entry.headers,
    requestTimeoutMs: entry.request_timeout_ms,
    rateLimitGiveUpMs: entry.rate_limit_give_up_ms,
  });
  return {
    signal,
    progress: (fraction) => seen.push(fraction),
    logger: pino({ level: 'silent' }),
    http,
    sleep: (ms) => abortableSleep(ms, signal),
    now: Date.now,
    upstreamOf: async () => undefined,
    seen,
  };
}

/** A text-to-image request with every default applied, as the machinery hands it over. */
export const imageRequest = (over: Partial<GenerationRequest> = {}): GenerationRequest => ({
  prompt: 'A lighthouse at dusk',
  model: 'uni-1',
  type: 'image',
  aspect_ratio: '16:9',
  style: 'auto',
  output_format: null,
  web_search: false,
  user_id: null,
  source: null,
  image_ref: [],
  ...over,
});

export const job = (request: GenerationRequest, inputs: EngineInput[] = [], generationId: string = randomUUID()): RemoteJob => ({
  generationId,
  request: { ...request, inputs: [] },
  inputs,
  idempotencyKey: `atelier-${generationId}-test-1`,
});

export type Run =
  | { ok: true; handle?: UpstreamHandle; files: { type: string; bytes: Buffer; mediaType?: string }[] }
  | { ok: false; handle?: UpstreamHandle; failure: EngineFailure };

/** submit, then wait on the handle, then fetch and check the outputs with the machinery's re-homing. */
export async function runRemote(factory: RemoteEngineFactory<never>, entry: ResolvedEngineEntry<unknown>, remoteJob: RemoteJob, ctx: RemoteContext, configDir = '.'): Promise<Run> {
  const engine: RemoteEngine = factory.create(entry as never, { logger: ctx.logger, configDir });
  try {
    return await submitAndWait(engine, remoteJob, ctx);
  } finally {
    await engine.close?.();
  }
}

async function submitAndWait(engine: RemoteEngine, remoteJob: RemoteJob, ctx: RemoteContext): Promise<Run> {
  const submitted = await engine.submit(remoteJob, ctx);
  if (submitted.kind === 'failed') return { ok: false, failure: submitted.failure };
  const handle = submitted.kind === 'submitted' ? submitted.handle : undefined;
  const waited = submitted.kind === 'done' ? submitted : await engine.wait(handle!, remoteJob, ctx);
  if (waited.kind === 'failed') return { ok: false, handle, failure: waited.failure };
  // A video job's work directory, as the worker gives one: video outputs are streamed into it.
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-rehome-test-'));
  try {
    const rehomed = await rehomeOutputs(waited.outputs, remoteJob.request, remoteJob.inputs, {
      http: ctx.http,
      limits: { maxPixels: 100_000_000, maxSide: 16_384 },
      maxBytes: 500 * 1024 * 1024,
      video: toolkit,
      signal: ctx.signal,
      workDir,
    });
    if (!rehomed.ok) return { ok: false, handle, failure: rehomed.failure };
    const files = rehomed.outputs.map((o) => ({ type: o.type, bytes: o.bytes ?? fs.readFileSync(o.file), mediaType: o.mediaType }));
    await ctx.http.close();
    return { ok: true, handle, files };
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

/** The run's failure; fails the test when the run succeeded. */
export function failureOf(run: Run): EngineFailure {
  assert.equal(run.ok, false, `expected a failure: ${JSON.stringify(run).slice(0, 300)}`);
  return (run as Extract<Run, { ok: false }>).failure;
}

/** The run's checked files; fails the test when the run failed. */
export function filesOf(run: Run): Extract<Run, { ok: true }>['files'] {
  assert.ok(run.ok, JSON.stringify(run));
  return run.files;
}
