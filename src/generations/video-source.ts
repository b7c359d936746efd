import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { VideoLimits } from '../config.js';
import { apiError, sourceProblem, VIDEO_FPS, type GenerationRequest } from '../contract/index.js';
import { ProcessError, probeVideoFile, type VideoToolkit } from '../media/video/index.js';
import type { BlobStore } from '../storage/index.js';
import { generations, type Store } from '../store/index.js';
import { parseOutputs, type SourceFacts, type StoredInput } from './records.js';

export interface VideoSourceDeps {
  store: Store;
  blobs: BlobStore;
  video?: VideoToolkit;
  /** Where a source the store keeps elsewhere is copied to be probed (as `<generation id>.<random>`); the OS temp folder when absent. */
  scratchDir?: string;
}

/** Billed length when the source can't be measured at submit; such a job fails and is refunded. */
const UNMEASURED_SECONDS = 5;

/**
 * The length of an edit/reframe source, which prices the job (spec §11: output = source
 * length), and the source rules that can be decided now: a chained video's recorded facts,
 * or a probe of the fetched/inline bytes. The facts are kept on the source input for the job.
 * Throws the 422 of a rule it breaks, or a 503 when ffprobe itself fails; bytes that don't
 * probe are left to the job, which fails them with a `failure_code`.
 */
export async function measureVideoSource(
  deps: VideoSourceDeps,
  generationId: string,
  clientId: string,
  request: GenerationRequest,
  inputs: StoredInput[],
  limits: VideoLimits,
): Promise<number> {
  if (request.type !== 'video_edit' && request.type !== 'video_reframe') return UNMEASURED_SECONDS;
  const input = inputs.find((i) => i.role === 'source');
  if (!input) return UNMEASURED_SECONDS;
  const facts = (await chainedFacts(deps.store, clientId, request, input)) ?? (await probedFacts(deps, generationId, input));
  if (!facts) return UNMEASURED_SECONDS;
  const problem = sourceProblem(request, facts, limits);
  if (problem) throw problem;
  input.facts = facts;
  return facts.seconds;
}

async function chainedFacts(store: Store, clientId: string, request: GenerationRequest, input: StoredInput): Promise<SourceFacts | null> {
  const id = request.source?.generation_id;
  if (input.origin !== 'generation' || !id) return null;
  const prior = await generations.getGeneration(store, id, clientId);
  const facts = parseOutputs(prior?.output ?? null).find((o) => o.key === input.key)?.video;
  // Outputs are rendered at VIDEO_FPS.
  return facts ? { ...facts, fps: VIDEO_FPS } : null;
}

async function probedFacts(deps: VideoSourceDeps, generationId: string, input: StoredInput): Promise<SourceFacts | null> {
  if (!deps.video || deps.video.problem) return null;
  const scratch = deps.scratchDir ?? os.tmpdir();
  await fs.mkdir(scratch, { recursive: true });
  const dir = await fs.mkdtemp(path.join(scratch, `${generationId}.`));
  try {
    const file = await deps.blobs.localFile(input.key, dir);
    if (!file) return null;
    const probed = await probeVideoFile(deps.video, file);
    if (!probed.ok) return null;
    const { width, height, seconds, frames, fps } = probed.probe;
    return { width, height, seconds, frames, fps };
  } catch (err) {
    // ffprobe timed out or didn't start: the length prices the job, so it isn't guessed.
    if (err instanceof ProcessError) throw apiError('VIDEO_PROBE_UNAVAILABLE', { path: input.path });
    throw err;
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
