import type { FailureCode } from '../../contract/index.js';
import { BackendError } from '../backend/backend-error.js';
import { callUpstream, jsonOf } from '../backend/upstream-call.js';
import type { RemoteContext, RemoteOutput } from '../remote/remote-engine.js';

export const LABEL = 'The Cog model';

/** A prediction as Cog answers it (`id`, `status`, `output`, `error`, `logs`, `metrics`). */
export interface Prediction {
  id?: string;
  status?: 'starting' | 'processing' | 'succeeded' | 'failed' | 'canceled';
  output?: unknown;
  error?: string | null;
  logs?: string;
  /** Present on an in-flight prediction's snapshot, absent from a freshly created one. */
  input?: unknown;
}

export type PutAnswer = { kind: 'ended'; prediction: Prediction } | { kind: 'running'; prediction: Prediction } | { kind: 'busy' };

const TERMINAL = new Set(['succeeded', 'failed', 'canceled']);

/** Cog's 422: `{"detail": [{"loc": ["body", "input", "prompt"], "msg": "..."}]}` (pydantic style); other errors `{"error": "..."}`. */
function describe(body: unknown): { text?: string; code?: FailureCode } | undefined {
  const b = body as { detail?: unknown; error?: unknown } | null;
  if (Array.isArray(b?.detail)) {
    const text = b.detail.map((d: { loc?: unknown[]; msg?: string }) => `${(d.loc ?? []).slice(2).join('.') || 'input'}: ${d.msg ?? ''}`).join('; ');
    return { text };
  }
  if (typeof b?.error === 'string') return { text: b.error };
  return undefined;
}

/**
 * `PUT /predictions/{id}` without `Prefer: respond-async`: Cog holds the connection and answers
 * the ended prediction. If a prediction with this id is already running (an earlier try of
 * the same job), Cog answers its snapshot at once with a 202; with every slot busy, a 409.
 */
export async function putPrediction(ctx: RemoteContext, id: string, input: Record<string, unknown>, timeoutMs: number): Promise<PutAnswer> {
  const res = await callUpstream(ctx, 'PUT', `predictions/${encodeURIComponent(id)}`, { label: LABEL, json: { id, input }, accept: [409], describe, timeoutMs });
  if (res.status === 409) return { kind: 'busy' };
  const prediction = jsonOf<Prediction>(res, LABEL);
  if (!prediction || typeof prediction !== 'object') throw new BackendError('generation_failed', `${LABEL} answered with something that is not a prediction`, true, res.text(300));
  if (prediction.status && TERMINAL.has(prediction.status)) return { kind: 'ended', prediction };
  if (res.status === 202) return { kind: 'running', prediction };
  throw new BackendError('generation_failed', `${LABEL} answered a prediction without an ended status`, true, res.text(300));
}

/**
 * `PUT /predictions/{id}` with `Prefer: respond-async` and a webhook: Cog answers at once (a
 * 202), posts `start`, `logs` and `completed` to the webhook, and retries the completed post.
 * A PUT for an id already running changes nothing and is answered with its snapshot.
 */
export async function startPrediction(ctx: RemoteContext, id: string, input: Record<string, unknown>, webhook: string): Promise<'started' | 'busy'> {
  const res = await callUpstream(ctx, 'PUT', `predictions/${encodeURIComponent(id)}`, {
    label: LABEL,
    json: { id, input, webhook, webhook_events_filter: ['start', 'logs', 'completed'] },
    headers: { prefer: 'respond-async' },
    accept: [409],
    describe,
  });
  return res.status === 409 ? 'busy' : 'started';
}

/** How far a prediction is, from the last tqdm bar in its logs (`" 45%|████ | 9/20"`); undefined without one. */
export function logProgress(logs: unknown): number | undefined {
  if (typeof logs !== 'string') return undefined;
  const bars = [...logs.matchAll(/(\d{1,3})%\|/g)];
  const last = bars.at(-1);
  return last ? Math.min(100, Number(last[1])) / 100 : undefined;
}

/** `POST /predictions/{id}/cancel`: best effort. */
export async function cancelPrediction(ctx: RemoteContext, id: string): Promise<void> {
  await callUpstream(ctx, 'POST', `predictions/${encodeURIComponent(id)}/cancel`, { label: LABEL, accept: [404] });
}

const MODERATED = /nsfw|safety checker|unsafe content|content (policy|moderation)|flagged/i;

/** What an ended prediction gives: its first file, or the failure it reports. */
export function predictionOutcome(prediction: Prediction, type: 'image' | 'video'): { ok: true; output: RemoteOutput } | { ok: false; code: FailureCode; reason: string; retryable: boolean; detail?: string } {
  if (prediction.status === 'failed') {
    const error = String(prediction.error ?? 'no error given');
    if (MODERATED.test(error)) return { ok: false, code: 'content_moderated', reason: 'Generation output was flagged by our content moderation system.', retryable: false, detail: error };
    return { ok: false, code: 'generation_failed', reason: `${LABEL} failed: ${error.slice(0, 200)}`, retryable: true, detail: prediction.logs?.slice(-1000) };
  }
  if (prediction.status === 'canceled') return { ok: false, code: 'generation_failed', reason: `${LABEL} canceled the prediction`, retryable: true };
  const file = firstFile(prediction.output);
  if (!file) return { ok: false, code: 'output_not_found', reason: 'Output artifacts not found', retryable: true, detail: `output: ${JSON.stringify(prediction.output ?? null).slice(0, 300)}` };
  if (file.startsWith('data:')) {
    const match = /^data:([^;,]*)((?:;[^;,]*)*),(.*)$/s.exec(file);
    if (!match || !match[2].includes(';base64')) return { ok: false, code: 'generation_failed', reason: `${LABEL} returned a malformed data URL`, retryable: true, detail: file.slice(0, 100) };
    return { ok: true, output: { type, bytes: Buffer.from(match[3], 'base64'), ...(match[1] && { mediaType: match[1] }) } };
  }
  return { ok: true, output: { type, url: file } };
}

/** The first file in an output: a data URL or an http(s) URL, in a string, a list or an object's values. */
function firstFile(output: unknown): string | null {
  if (typeof output === 'string') return output.startsWith('data:') || /^https?:\/\//.test(output) ? output : null;
  const values = Array.isArray(output) ? output : output && typeof output === 'object' ? Object.values(output) : [];
  for (const value of values) {
    const found = firstFile(value);
    if (found) return found;
  }
  return null;
}
