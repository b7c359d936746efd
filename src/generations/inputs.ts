import { apiError, type GenerationRequest, type ImageRef } from '../contract/index.js';
import type { MediaFetcher } from '../media/fetch/index.js';
import { resolveFileRef } from '../files/index.js';
import { checkDeclaredType } from '../media/declared-type.js';
import { decodeBase64, type IngestLimits } from '../media/ingest.js';
import type { BlobStore } from '../storage/index.js';
import { generations, type Store } from '../store/index.js';
import { parseOutputs, type StoredInput } from './records.js';

interface RefSlot {
  role: StoredInput['role'];
  index: number;
  path: string;
  ref: ImageRef;
}

export function refSlots(request: GenerationRequest): RefSlot[] {
  const slots: RefSlot[] = request.source ? [{ role: 'source', index: 0, path: 'source', ref: request.source }] : [];
  request.image_ref.forEach((ref, index) => slots.push({ role: 'image_ref', index, path: `image_ref[${index}]`, ref }));
  return slots;
}

/** Resolves chained generations to their output blobs; cheap checks, done before any bytes move. */
export async function resolveChainedRefs(store: Store, clientId: string, slots: RefSlot[], now: number): Promise<Map<RefSlot, string>> {
  const keys = new Map<RefSlot, string>();
  for (const slot of slots) {
    if (slot.ref.file_id != null) {
      keys.set(slot, await resolveFileRef(store, clientId, slot.path, slot.ref.file_id, now));
      continue;
    }
    const id = slot.ref.generation_id;
    if (id == null) continue;
    const prior = await generations.getGeneration(store, id, clientId);
    if (!prior) throw apiError('REF_GENERATION_NOT_FOUND', { path: slot.path, id });
    if (prior.state !== 'completed') throw apiError('REF_GENERATION_NOT_COMPLETED', { path: slot.path, id, state: prior.state });
    const image = parseOutputs(prior.output).find((o) => o.type === 'image');
    if (!image) throw apiError('REF_GENERATION_NOT_IMAGE', { path: slot.path, id });
    keys.set(slot, image.key);
  }
  return keys;
}

/** Decodes inline data and fetches URLs, storing the bytes under `inputs/<generation id>/`. */
export async function ingestRefs(
  blobs: BlobStore,
  generationId: string,
  slots: RefSlot[],
  chained: Map<RefSlot, string>,
  limits: IngestLimits,
  fetcher: MediaFetcher,
): Promise<StoredInput[]> {
  const inputs: StoredInput[] = [];
  for (const slot of slots) {
    const base = { role: slot.role, index: slot.index, path: slot.path };
    const chainedKey = chained.get(slot);
    if (chainedKey && slot.ref.file_id != null) {
      // A copy: the file may be deleted (and its blob purged) before the job runs.
      const key = `inputs/${generationId}/${slot.role}-${slot.index}`;
      const bytes = await blobs.read(chainedKey);
      if (!bytes) throw apiError('REF_FILE_DELETED', { path: slot.path, id: slot.ref.file_id });
      await blobs.put(key, bytes);
      inputs.push({ ...base, key, origin: 'file' });
      continue;
    }
    if (chainedKey) {
      inputs.push({ ...base, key: chainedKey, origin: 'generation' });
      continue;
    }
    const bytes =
      slot.ref.data != null
        ? decodeBase64(slot.ref.data, slot.path, limits)
        : (await fetcher.fetch(slot.ref.url!, slot.path, { kind: 'image' })).bytes;
    checkDeclaredType(bytes, slot.ref.media_type, slot.path);
    const key = `inputs/${generationId}/${slot.role}-${slot.index}`;
    await blobs.put(key, bytes);
    inputs.push({ ...base, key, origin: slot.ref.data != null ? 'data' : 'url' });
  }
  return inputs;
}
