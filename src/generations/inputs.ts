import { apiError, type GenerationRequest, type ImageRef } from '../contract/index.js';
import type { MediaFetcher } from '../media/fetch/index.js';
import { resolveFileRef } from '../files/index.js';
import { checkDeclaredType } from '../media/declared-type.js';
import { decodeBase64 } from '../media/ingest.js';
import type { Config } from '../config.js';
import type { BlobStore } from '../storage/index.js';
import { generations, type Store } from '../store/index.js';
import { parseOutputs, type StoredInput } from './records.js';

interface RefSlot {
  role: StoredInput['role'];
  index: number;
  path: string;
  ref: ImageRef;
  /** What the bytes are: an image, or a video (edit/reframe source, extend anchor). */
  kind: 'image' | 'video';
}

export function refSlots(request: GenerationRequest): RefSlot[] {
  const video = request.video;
  const slots: RefSlot[] = request.source ? [{ role: 'source', index: 0, path: 'source', ref: request.source, kind: video ? 'video' : 'image' }] : [];
  request.image_ref.forEach((ref, index) => slots.push({ role: 'image_ref', index, path: `image_ref[${index}]`, ref, kind: 'image' }));
  if (!video) return slots;
  // On `video`, a generation_id in start_frame/end_frame extends that clip; elsewhere frames are images.
  const anchorKind = (ref: ImageRef) => (request.type === 'video' && ref.generation_id != null ? 'video' : 'image');
  if (video.start_frame) slots.push({ role: 'start_frame', index: 0, path: 'video.start_frame', ref: video.start_frame, kind: anchorKind(video.start_frame) });
  if (video.end_frame) slots.push({ role: 'end_frame', index: 0, path: 'video.end_frame', ref: video.end_frame, kind: anchorKind(video.end_frame) });
  video.keyframes.forEach((ref, index) => slots.push({ role: 'keyframe', index, path: `video.keyframes[${index}]`, ref, kind: 'image' }));
  video.edit?.keyframes.forEach((ref, index) => slots.push({ role: 'edit_keyframe', index, path: `video.edit.keyframes[${index}]`, ref, kind: 'image' }));
  return slots;
}

/** Resolves chained generations to their output blobs; cheap checks, done before any bytes move. */
export async function resolveChainedRefs(store: Store, clientId: string, slots: RefSlot[], now: number): Promise<Map<RefSlot, string>> {
  const keys = new Map<RefSlot, string>();
  for (const slot of slots) {
    if (slot.ref.file_id != null) {
      keys.set(slot, await resolveFileRef(store, clientId, slot.path, slot.ref.file_id, now, slot.kind));
      continue;
    }
    const id = slot.ref.generation_id;
    if (id == null) continue;
    const prior = await generations.getGeneration(store, id, clientId);
    if (!prior) throw apiError('REF_GENERATION_NOT_FOUND', { path: slot.path, id });
    if (prior.state !== 'completed') throw apiError('REF_GENERATION_NOT_COMPLETED', { path: slot.path, id, state: prior.state });
    const output = parseOutputs(prior.output).find((o) => o.type === slot.kind);
    if (!output) throw apiError(slot.kind === 'video' ? 'REF_GENERATION_NOT_VIDEO' : 'REF_GENERATION_NOT_IMAGE', { path: slot.path, id });
    keys.set(slot, output.key);
  }
  return keys;
}

/** Where a generation's own copies of its inputs live. */
export const inputPrefix = (generationId: string) => `inputs/${generationId}`;

/** Decodes inline data and fetches URLs, storing the bytes under `inputs/<generation id>/`. */
export async function ingestRefs(
  blobs: BlobStore,
  generationId: string,
  slots: RefSlot[],
  chained: Map<RefSlot, string>,
  limits: Pick<Config['limits'], 'maxImageBytes' | 'maxVideoBytes'>,
  fetcher: MediaFetcher,
): Promise<StoredInput[]> {
  const inputs: StoredInput[] = [];
  for (const slot of slots) {
    const base = { role: slot.role, index: slot.index, path: slot.path, ...(slot.kind === 'video' ? { kind: 'video' as const } : {}) };
    const chainedKey = chained.get(slot);
    if (chainedKey && slot.ref.file_id != null) {
      // A copy: the file may be deleted (and its blob purged) before the job runs.
      const key = `${inputPrefix(generationId)}/${slot.role}-${slot.index}`;
      if (!(await blobs.copy(chainedKey, key))) throw apiError('REF_FILE_DELETED', { path: slot.path, id: slot.ref.file_id });
      inputs.push({ ...base, key, origin: 'file' });
      continue;
    }
    if (chainedKey) {
      inputs.push({ ...base, key: chainedKey, origin: 'generation' });
      continue;
    }
    const limit =
      slot.kind === 'video'
        ? { maxBytes: limits.maxVideoBytes, tooLarge: 'REF_VIDEO_TOO_LARGE' as const }
        : { maxBytes: limits.maxImageBytes, tooLarge: 'REF_IMAGE_TOO_LARGE' as const };
    const bytes =
      slot.ref.data != null
        ? decodeBase64(slot.ref.data, slot.path, limit)
        : (await fetcher.fetch(slot.ref.url!, slot.path, { kind: slot.kind })).bytes;
    // Video bytes are checked by ffprobe: a source that isn't a video fails as unsupported_format.
    if (slot.kind === 'image') checkDeclaredType(bytes, slot.ref.media_type, slot.path);
    const key = `${inputPrefix(generationId)}/${slot.role}-${slot.index}`;
    await blobs.put(key, bytes);
    inputs.push({ ...base, key, origin: slot.ref.data != null ? 'data' : 'url' });
  }
  return inputs;
}
