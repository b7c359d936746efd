import { Type, type Static } from '@sinclair/typebox';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { COG_FIELDS } from '../../contract/engine-fields.js';
import { asFailure, BackendError } from '../backend/backend-error.js';
import { placeholderOf, requestValues, valueSettings } from '../backend/request-values.js';
import { isVideoInput, type EngineInput } from '../engine.js';
import type { RemoteContext, RemoteEngine, RemoteEngineFactory, RemoteJob, SubmitResult, UpstreamHandle, WaitResult } from '../remote/remote-engine.js';
import { cancelPrediction, LABEL, logProgress, predictionOutcome, putPrediction, startPrediction, type Prediction } from './client.js';
import { fillInput, unknownPlaceholders } from './input.js';

const Fields = Type.Object(COG_FIELDS);
export type CogFields = Static<typeof Fields>;

const VIDEO_TYPES = new Set(['video', 'video_edit', 'video_reframe']);

/** Cog's recommended id shape (26 base32 characters), made from the job's idempotency key. */
export function predictionIdFor(idempotencyKey: string): string {
  const digest = createHash('sha256').update(idempotencyKey).digest();
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  let bits = 0;
  let value = 0;
  let id = '';
  for (const byte of digest) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && id.length < 26) {
      id += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return id;
}

/** An input as Cog takes a file: a data URL. */
async function dataUrl(input: EngineInput): Promise<string> {
  if (isVideoInput(input)) return `data:video/mp4;base64,${(await fs.readFile(input.file)).toString('base64')}`;
  return `data:image/${input.format};base64,${input.bytes.toString('base64')}`;
}

/**
 * Any Cog container (a model packaged for Replicate): the entry's `input` mapping filled from
 * the request, sent as `PUT /predictions/{id}` under an id made from the job's idempotency
 * key. Cog answers JSON predictions only by webhook or by holding the request, and forgets a
 * prediction once it ends. `delivery: hold` (the default) holds the request: a synchronous
 * backend to the machinery; a PUT that finds the same id still running (a retried or resumed
 * job) is answered at once with its snapshot, and the engine asks again until it has ended.
 * `delivery: webhook` starts the prediction with a webhook to Atelier and waits for the
 * stored post, so a resumed job never runs it again.
 */
export const cogEngineType: RemoteEngineFactory<CogFields> = {
  type: 'cog',
  fields: COG_FIELDS,
  serves: ['image', 'image_edit', 'video', 'video_edit', 'video_reframe'],
  create(entry, deps): RemoteEngine {
    const unknown = unknownPlaceholders(entry.input);
    if (unknown.length > 0) throw new Error(`engines.${entry.name}.input: unknown placeholder ${unknown.map((u) => `{{${u}}}`).join(', ')}`);
    const values = valueSettings(entry);
    const callbacks = deps.callbacks;
    const webhooks = entry.delivery === 'webhook';
    if (webhooks && !callbacks?.url(entry.name, 'check', entry.webhook_base_url)) {
      throw new Error(`engines.${entry.name}.delivery: webhook needs the address Cog posts to: webhook_base_url, or --public-url (ATELIER_PUBLIC_URL)`);
    }

    async function submit(job: RemoteJob, ctx: RemoteContext): Promise<SubmitResult> {
      const id = predictionIdFor(job.idempotencyKey);
      try {
        const filled = requestValues(job.request, job.inputs, values) as Record<string, string | number>;
        for (const input of job.inputs) {
          const name = placeholderOf(input);
          if (name) filled[name] = await dataUrl(input);
        }
        const input = fillInput(entry.input, filled);
        ctx.progress(0.05);
        if (webhooks) {
          await whenFree(ctx, () => startPrediction(ctx, id, input, callbacks!.url(entry.name, id, entry.webhook_base_url)!));
          return { kind: 'submitted', handle: { id } };
        }
        return ended(await predict(ctx, id, input), job);
      } catch (err) {
        return asFailure(err, ctx.signal);
      }
    }

    /** Webhook delivery: the stored post about the prediction, read every poll interval until it is final. */
    async function wait(handle: UpstreamHandle, job: RemoteJob, ctx: RemoteContext): Promise<WaitResult> {
      if (!webhooks) return { kind: 'failed', failure: { failureCode: 'generation_failed', failureReason: `${LABEL} has no job to wait on`, retryable: true } };
      try {
        for (;;) {
          const post = await callbacks!.latest(entry.name, handle.id);
          if (post?.terminal) return ended(post.payload as Prediction, job);
          const fraction = logProgress((post?.payload as Prediction | undefined)?.logs);
          if (fraction !== undefined) ctx.progress(0.1 + 0.85 * fraction);
          await ctx.sleep(entry.poll_interval_ms);
        }
      } catch (err) {
        return asFailure(err, ctx.signal);
      }
    }

    function ended(prediction: Prediction, job: RemoteJob): SubmitResult & WaitResult {
      const outcome = predictionOutcome(prediction, VIDEO_TYPES.has(job.request.type) ? 'video' : 'image');
      if (!outcome.ok) return { kind: 'failed', failure: { failureCode: outcome.code, failureReason: outcome.reason, retryable: outcome.retryable, detail: outcome.detail } };
      return { kind: 'done', outputs: [outcome.output] };
    }

    /** Runs `start` until the container has a free slot; a 409 is waited out like a 429. */
    async function whenFree(ctx: RemoteContext, start: () => Promise<'started' | 'busy'>): Promise<void> {
      const busySince = ctx.now();
      while ((await start()) === 'busy') {
        if (ctx.now() - busySince > entry.rate_limit_give_up_ms) {
          throw new BackendError('rate_limited', `${LABEL} stayed busy with other predictions`, true, `409 at capacity for ${entry.rate_limit_give_up_ms} ms`);
        }
        await ctx.sleep(entry.poll_interval_ms);
      }
    }

    /** Holds PUTs until Cog answers an ended prediction; one still running from an earlier try is asked about again. */
    async function predict(ctx: RemoteContext, id: string, input: Record<string, unknown>): Promise<Prediction> {
      let prediction: Prediction | undefined;
      await whenFree(ctx, async () => {
        for (;;) {
          const answer = await putPrediction(ctx, id, input, entry.job_timeout_ms);
          if (answer.kind === 'busy') return 'busy';
          if (answer.kind === 'ended') {
            prediction = answer.prediction;
            return 'started';
          }
          ctx.progress(0.1);
          await ctx.sleep(entry.poll_interval_ms);
        }
      });
      return prediction!;
    }

    return {
      kind: 'remote',
      name: entry.name,
      type: 'cog',
      serves: entry.serves ?? cogEngineType.serves,
      submit,
      wait,
      async cancel(handle, ctx) {
        await cancelPrediction(ctx, handle.id).catch(() => undefined);
      },
    };
  },
};
