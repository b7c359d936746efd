import { isoSeconds } from '../clock.js';
import { apiError, type ImageRef } from '../contract/index.js';
import { formatUsd } from '../accounts/index.js';
import type { BlobUrls } from '../storage/index.js';
import { generations, type Store } from '../store/index.js';
import { listGenerationsReferencing } from '../store/operations.js';
import { type StoredRequest } from './records.js';

const MAX_EDITS = 50;

/** Every generation id a request references: the edits it builds on. */
function referencedIds(request: StoredRequest): string[] {
  const refs: Array<ImageRef | null | undefined> = [request.source, ...request.image_ref];
  if (request.video) {
    refs.push(request.video.start_frame, request.video.end_frame, ...request.video.keyframes, ...(request.video.edit?.keyframes ?? []));
  }
  return [...new Set(refs.map((r) => r?.generation_id).filter((id): id is string => typeof id === 'string'))];
}

/**
 * Extension: what the dashboard's detail view shows beside the Generation: the request as stored
 * (inline data dropped), its ingested inputs as signed URLs, price, timings and the chain of edits.
 */
export async function generationDetails(store: Store, clientId: string, id: string, urls: BlobUrls, baseUrl: string, now: number) {
  const row = await generations.getGenerationById(store.db, id);
  if (!row || row.client_id !== clientId) throw apiError('GENERATION_NOT_FOUND');
  const { inputs, emulation: _emulation, ...request } = JSON.parse(row.request) as StoredRequest;
  const terminal = row.state === 'completed' || row.state === 'failed';
  const children = await listGenerationsReferencing(store.db, clientId, id, MAX_EDITS);
  return {
    id: row.id,
    request,
    inputs: await Promise.all(
      inputs.map(async (input) => ({
        role: input.role,
        index: input.index,
        path: input.path,
        origin: input.origin,
        type: input.kind === 'video' ? 'video' : 'image',
        url: await urls.download(input.key, baseUrl, now),
      })),
    ),
    price_usd: formatUsd(row.price_micros).slice(1),
    charged: row.state !== 'failed',
    created_at: isoSeconds(row.created_at),
    updated_at: isoSeconds(row.updated_at),
    finished_at: terminal ? isoSeconds(row.updated_at) : null,
    edit_of: referencedIds({ inputs, ...request } as StoredRequest),
    edits: children.map((c) => ({ id: c.id, type: c.type, state: c.state, created_at: isoSeconds(c.created_at) })),
  };
}
