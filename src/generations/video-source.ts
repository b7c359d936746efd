import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { VideoLimits } from '../config.js';
import { apiError, sourceProblem, type GenerationRequest } from '../contract/index.js';
import { ProcessError, probeVideoBytes, type VideoToolkit } from '../media/video/index.js';
import type { BlobStore } from '../storage/index.js';
import { generations, type Store } from '../store/index.js';
import { parseOutputs, type StoredInput, type VideoFacts } from './records.js';

/** Billed length when the source can't be measured at submit; such a job fails and is refunded. */
const UNMEASURED_SECONDS = 5;

/**
 * The length of an edit/reframe source, which prices the job (spec §11: output = source
 * length), and the source rules that can be decided now: a chained video's recorded facts,
 * or a probe of the fetched/inline bytes. Throws the 422 of a rule it breaks, or a 503 when
 * ffprobe itself fails; bytes that don't probe are left to the job, which fails them with a `failure_code`.
 */
export async function measureVideoSource(
  deps: { store: Store; blobs: BlobStore; video?: VideoToolkit },
  clientId: string,
  request: GenerationRequest,
  inputs: StoredInput[],
  limits: VideoLimits,
): Promise<number> {
  if (request.type !== 'video_edit' && request.type !== 'video_reframe') return UNMEASURED_SECONDS;
  const input = inputs.find((i) => i.role === 'source');
  if (!input) return UNMEASURED_SECONDS;
  const facts = (await chainedFacts(deps.store, clientId, request, input)) ?? (await probedFacts(deps, input));
  if (!facts) return UNMEASURED_SECONDS;
  const problem = sourceProblem(request, facts, limits);
  if (problem) throw problem;
  return facts.seconds;
}

async function chainedFacts(store: Store, clientId: string, request: GenerationRequest, input: StoredInput): Promise<VideoFacts | null> {
  const id = request.source?.generation_id;
  if (input.origin !== 'generation' || !id) return null;
  const prior = await generations.getGeneration(store, id, clientId);
  return parseOutputs(prior?.output ?? null).find((o) => o.key === input.key)?.video ?? null;
}

async function probedFacts(deps: { blobs: BlobStore; video?: VideoToolkit }, input: StoredInput): Promise<VideoFacts | null> {
  if (!deps.video || deps.video.problem) return null;
  const bytes = await deps.blobs.read(input.key);
  if (!bytes) return null;
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'atelier-probe-'));
  try {
    const probed = await probeVideoBytes(deps.video, bytes, path.join(dir, 'source'));
    return probed.ok ? probed.probe : null;
  } catch (err) {
    // ffprobe timed out or didn't start: the length prices the job, so it isn't guessed.
    if (err instanceof ProcessError) throw apiError('VIDEO_PROBE_UNAVAILABLE', { path: input.path });
    throw err;
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
