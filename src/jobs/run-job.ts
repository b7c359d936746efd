import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import { FAILURE_REASONS, type FailureCode } from '../contract/index.js';
import { LOCAL_ENGINES, type Engine, type EngineContext, type EngineInput, type EngineResult, type OutputFile, type Routing } from '../engines/index.js';
import type { Events } from '../events.js';
import type { StoredOutput, StoredRequest } from '../generations/index.js';
import { probeImage } from '../media/image.js';
import type { Moderation } from '../moderation/index.js';
import type { BlobStore } from '../storage/index.js';
import type { Transaction } from 'kysely';
import { generations, queue, type Database, type Store } from '../store/index.js';
import { settleHold } from './settle.js';
import type { VideoToolkit } from '../media/video/index.js';
import { loadVideoInput } from './video-inputs.js';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface JobDeps {
  store: Store;
  blobs: BlobStore;
  clock: Clock;
  events: Events;
  logger: Logger;
  config: Pick<Config, 'limits' | 'leaseMs'> & Partial<Pick<Config, 'layeringModel'>>;
  moderation: Moderation;
  /** ffmpeg, for video jobs. */
  video?: VideoToolkit;
  /** Which engine serves a model; absent = preview and layering. */
  routing?: Routing;
  /** Where video jobs get their scratch folders (named `<generation id>.<random>`); the OS temp folder when absent. */
  scratchDir?: string;
}

export type Outcome =
  | { kind: 'completed'; outputs: StoredOutput[] }
  | { kind: 'failed'; code: FailureCode; reason: string; cancelled?: boolean };

const failed = (code: FailureCode, reason: string = FAILURE_REASONS[code]): Outcome => ({ kind: 'failed', code, reason });

/** Runs the engines of a job on checked inputs; the local default runs the chain's first engine. */
export type EngineRun = (inputs: EngineInput[], ctx: EngineContext) => Promise<RunResult>;

/** What a run hands back: an engine's result, or files re-homed from a backend (a large video stays on disk). */
export type RunResult = EngineResult | { ok: true; outputs: OutputFile[] };

/** Reads and checks the inputs, runs the engine and stores its files. Never touches the job row. */
export async function produce(deps: JobDeps, generationId: string, request: StoredRequest, signal: AbortSignal, run?: EngineRun): Promise<Outcome> {
  if (deps.moderation.flagsPrompt(generationId, request.prompt)) return failed('content_moderated');
  // Video jobs get a scratch directory for ffmpeg's files (and video inputs a store keeps elsewhere);
  // it goes when the job does. One a killed job leaves is removed by the debris sweeper once its generation has ended.
  const scratch = deps.scratchDir ?? os.tmpdir();
  const video = request.video !== undefined || request.inputs.some((input) => input.kind === 'video');
  if (video) await fs.mkdir(scratch, { recursive: true });
  const workDir = video ? await fs.mkdtemp(path.join(scratch, `${generationId}.`)) : undefined;
  try {
    return await produceIn(deps, generationId, request, signal, workDir, run ?? localRun(deps, request));
  } finally {
    if (workDir) await fs.rm(workDir, { recursive: true, force: true });
  }
}

function localRun(deps: JobDeps, request: StoredRequest): EngineRun {
  const link = deps.routing?.chain(request.model, request.type)[0];
  if (link?.kind === 'remote') {
    // Queued for local work before the routing file sent this model to a remote engine.
    return async () => ({ ok: false, failureCode: 'generation_failed', failureReason: 'Generation failed' });
  }
  const engine: Engine = link?.engine ?? LOCAL_ENGINES[request.type === 'layering' ? 'layering' : 'preview'];
  return (inputs, ctx) => engine(request, inputs, ctx);
}

async function produceIn(
  deps: JobDeps,
  generationId: string,
  request: StoredRequest,
  signal: AbortSignal,
  workDir: string | undefined,
  run: EngineRun,
): Promise<Outcome> {
  const { moderation } = deps;
  const inputs: EngineInput[] = [];
  for (const input of request.inputs) {
    if (input.kind === 'video') {
      const loaded = await loadVideoInput(deps.video, deps.blobs, request, input, deps.config.limits, signal, workDir!);
      if (!loaded.ok) return failed(loaded.code, loaded.reason);
      // A prior clip's frame (extend) is checked like any input image; video sources are not classified.
      if ('bytes' in loaded.input && (await moderation.flagsImage(generationId, 'input', input.path, loaded.input.bytes))) return failed('content_moderated');
      inputs.push(loaded.input);
      continue;
    }
    const bytes = await deps.blobs.read(input.key);
    if (!bytes) return failed('invalid_request', `${input.path}: the referenced image is no longer available`);
    const probe = await probeImage(bytes, deps.config.limits);
    if (!probe.ok) return failed(probe.failureCode, `${input.path}: ${probe.reason}`);
    if (await moderation.flagsImage(generationId, 'input', input.path, bytes)) return failed('content_moderated');
    inputs.push({ role: input.role, index: input.index, bytes, width: probe.width, height: probe.height, format: probe.format });
  }

  const progress = (fraction: number, stage: string) => deps.events.emit('engine:progress', { generationId, fraction, stage });
  progress(0, 'generating');
  const result = await run(inputs, {
    signal,
    progress: (fraction, stage = 'generating') => progress(fraction, stage),
    video: deps.video,
    workDir,
    settings: { layeringModel: deps.config.layeringModel },
  });
  if (!result.ok) return failed(result.failureCode, result.failureReason);
  for (const [i, file] of result.outputs.entries()) {
    if (file.type === 'image' && file.bytes && (await moderation.flagsImage(generationId, 'output', `output[${i}]`, file.bytes))) return failed('content_moderated');
  }

  progress(1, 'storing');
  const outputs: StoredOutput[] = [];
  for (const [i, file] of result.outputs.entries()) {
    signal.throwIfAborted();
    const key = `generations/${generationId}/output-${i}.${file.extension}`;
    if (file.bytes) await deps.blobs.put(key, file.bytes);
    else await deps.blobs.putStream(key, createReadStream(file.file), Infinity);
    outputs.push({ type: file.type, key, media_type: file.mediaType, ...(file.video ? { video: file.video } : {}), ...(file.layer && { layer: file.layer }) });
  }
  return { kind: 'completed', outputs };
}

/** Records a terminal outcome: in one transaction the job goes, the generation ends and its hold settles. */
export async function finish(deps: JobDeps, generationId: string, workerId: string, outcome: Outcome): Promise<boolean> {
  return deps.store.transact(async (trx) => {
    if (!(await queue.deleteJob(trx, generationId, workerId))) return false; // lease lost: another worker owns it now
    await endGeneration(deps.store, trx, generationId, outcome, deps.clock.now());
    return true;
  });
}

/** Ends a generation that is still running and settles its hold; call inside the job's transaction. */
export async function endGeneration(
  store: Pick<Store, 'notifications' | 'dialect'>,
  trx: Transaction<Database>,
  generationId: string,
  outcome: Outcome,
  now: number,
): Promise<void> {
  // Client row first, as a submit does: the usage rows and the ledger's reference to the client
  // are then taken in one order by both, so they can't deadlock on Postgres.
  if (store.dialect.rowLocks) {
    const owner = await trx.selectFrom('generations').select('client_id').where('id', '=', generationId).executeTakeFirst();
    if (!owner) return;
    await generations.lockClient(trx, store.dialect, owner.client_id);
  }
  const ended =
    outcome.kind === 'completed'
      ? await generations.completeGeneration(trx, generationId, JSON.stringify(outcome.outputs), now)
      : await generations.failGeneration(trx, generationId, { code: outcome.code, reason: outcome.reason, cancelled: outcome.cancelled }, now);
  const row = ended ? await generations.getGenerationById(trx, generationId) : undefined;
  if (!row) return;
  await settleHold(trx, row, outcome.kind === 'completed', now);
  await store.notifications.publish(trx, 'generation:changed', { clientId: row.client_id, generationId, state: row.state });
}
