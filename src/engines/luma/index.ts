import { FAILURE_CODES, FAILURE_REASONS, type FailureCode, type Layer } from '../../contract/index.js';
import { LUMA_FIELDS } from '../../contract/engine-fields.js';
import type { EngineFailure, RemoteContext, RemoteEngine, RemoteEngineFactory, RemoteOutput, ResolvedEngineEntry, WaitResult } from '../remote/remote-engine.js';
import type { UpstreamResponse } from '../remote/upstream-http.js';
import { lumaBody } from './body.js';

type LumaFields = { model_map?: Record<string, string> };

interface LumaGeneration {
  id?: string;
  state?: 'queued' | 'processing' | 'completed' | 'failed';
  output?: Array<{ type?: string; url?: string; layer?: Layer }>;
  failure_code?: string | null;
  failure_reason?: string | null;
  /** Atelier's extension, when the upstream is another Atelier. */
  progress?: { fraction?: number; stage?: string } | null;
}

/** Upstream failure codes another try may fix: its side failed, not the request. */
const RETRYABLE: ReadonlySet<string> = new Set(['generation_failed', 'output_not_found', 'rate_limited', 'budget_exhausted']);

const failure = (failureCode: FailureCode, failureReason: string, retryable: boolean, detail?: string): EngineFailure => ({ failureCode, failureReason, retryable, detail });

/** A refused submit: the client's request (4xx about it) is final, our account's trouble (401/402/403) is not. */
function refused(response: UpstreamResponse): EngineFailure {
  const detail = response.json<{ detail?: string }>()?.detail ?? response.text();
  const logged = `HTTP ${response.status}: ${detail}`;
  switch (response.status) {
    case 400:
    case 422:
      return failure('invalid_request', `The upstream service refused the request: ${detail}`, false, logged);
    case 413:
      return failure('image_too_large', FAILURE_REASONS.image_too_large, false, logged);
    default:
      return failure('generation_failed', FAILURE_REASONS.generation_failed, true, logged);
  }
}

/** An upstream generation that ended `failed`, mapped one to one; our upstream account running dry is not the client's budget. */
function upstreamFailed(generation: LumaGeneration): EngineFailure {
  const code = (FAILURE_CODES as readonly string[]).includes(generation.failure_code ?? '') ? (generation.failure_code as FailureCode) : 'generation_failed';
  const detail = `upstream ${generation.id} failed: ${generation.failure_code} ${generation.failure_reason ?? ''}`.trim();
  if (code === 'budget_exhausted') return failure('generation_failed', FAILURE_REASONS.generation_failed, true, detail);
  return failure(code, generation.failure_reason || FAILURE_REASONS[code], RETRYABLE.has(code), detail);
}

function outputsOf(generation: LumaGeneration): RemoteOutput[] {
  return (generation.output ?? []).map((item) => ({
    type: item.type === 'video' ? 'video' : item.type === 'exr' || /\.exr(\?|$)/.test(item.url ?? '') ? 'exr' : 'image',
    url: item.url,
    ...(item.layer ? { layer: item.layer } : {}),
  }));
}

export class LumaEngine implements RemoteEngine {
  readonly kind = 'remote';
  readonly type = 'luma';
  readonly name: string;
  readonly serves;

  constructor(private readonly entry: ResolvedEngineEntry<LumaFields>) {
    this.name = entry.name;
    this.serves = entry.serves;
  }

  async submit(job: Parameters<RemoteEngine['submit']>[0], ctx: RemoteContext): ReturnType<RemoteEngine['submit']> {
    const model = this.entry.model_map?.[job.request.model] ?? job.request.model;
    const body = await lumaBody(job.request, job.inputs, model, ctx);
    const call = await ctx.http.call('POST', '/generations', { json: body, idempotencyKey: job.idempotencyKey }, ctx.signal);
    if (!call.ok) return { kind: 'failed', failure: call.failure };
    const generation = call.response.json<LumaGeneration>();
    if (call.response.status >= 300) return { kind: 'failed', failure: refused(call.response) };
    if (!generation?.id) return { kind: 'failed', failure: failure('generation_failed', FAILURE_REASONS.generation_failed, true, `no id in ${call.response.text()}`) };
    return { kind: 'submitted', handle: { id: generation.id } };
  }

  /** Polls `GET /generations/{id}` until it ends. */
  async wait(handle: { id: string }, _job: unknown, ctx: RemoteContext): Promise<WaitResult> {
    let reported = '';
    const report = (fraction: number, stage: string) => {
      // Only changes are recorded: most polls see the same state.
      if (`${fraction}:${stage}` !== reported) ctx.progress(fraction, stage);
      reported = `${fraction}:${stage}`;
    };
    for (;;) {
      const call = await ctx.http.call('GET', `/generations/${encodeURIComponent(handle.id)}`, {}, ctx.signal);
      if (!call.ok) return { kind: 'failed', failure: call.failure };
      const { response } = call;
      if (response.status === 404) {
        return { kind: 'failed', failure: failure('generation_failed', FAILURE_REASONS.generation_failed, true, `upstream lost generation ${handle.id}`) };
      }
      if (response.status >= 300) return { kind: 'failed', failure: { ...refused(response), retryable: true } };
      const generation = response.json<LumaGeneration>();
      if (generation?.state === 'completed') return { kind: 'done', outputs: outputsOf(generation) };
      if (generation?.state === 'failed') return { kind: 'failed', failure: upstreamFailed(generation) };
      const progress = generation?.progress;
      if (generation?.state === 'queued') report(0, 'queued upstream');
      else report(typeof progress?.fraction === 'number' ? progress.fraction : 0, progress?.stage ?? 'generating');
      await ctx.sleep(this.entry.poll_interval_ms);
    }
  }

  /** Luma has no cancel; an Atelier upstream has the extension. Best effort either way. */
  async cancel(handle: { id: string }, ctx: RemoteContext): Promise<void> {
    await ctx.http.call('POST', `/generations/${encodeURIComponent(handle.id)}/cancel`, {}, ctx.signal);
  }
}

export const lumaFactory: RemoteEngineFactory<LumaFields> = {
  type: 'luma',
  fields: LUMA_FIELDS,
  serves: ['image', 'image_edit', 'video', 'video_edit', 'video_reframe', 'layering'],
  defaultBaseUrl: 'https://agents.lumalabs.ai/v1',
  create: (entry) => new LumaEngine(entry),
};
