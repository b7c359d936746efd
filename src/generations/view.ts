import { isoSeconds } from '../clock.js';
import type { Generation } from '../contract/index.js';
import type { BlobUrls } from '../storage/index.js';
import type { GenerationTable, generations } from '../store/index.js';
import { parseOutputs } from './records.js';

/** Extension fields of one view, decided by the caller (none under --strict). */
export interface ViewExtras {
  queue?: Generation['queue'];
}

const STARTING = { fraction: 0, stage: 'starting' } as const;

/** The API's Generation object, with output URLs minted fresh for this response; `extras` adds the extension fields. */
export async function generationView(row: generations.GenerationView, urls: BlobUrls, baseUrl: string, now: number, extras?: ViewExtras): Promise<Generation> {
  const output =
    row.state === 'completed'
      ? await Promise.all(
          parseOutputs(row.output).map(async (o) => ({ type: o.type, url: await urls.download(o.key, baseUrl, now), ...(o.layer && { layer: o.layer }) })),
        )
      : [];
  const view: Generation = {
    id: row.id,
    type: row.type as Generation['type'],
    state: row.state,
    model: row.model as Generation['model'],
    created_at: isoSeconds(row.created_at),
    output,
    failure_reason: row.failure_reason,
    failure_code: row.failure_code as Generation['failure_code'],
  };
  if (!extras) return view;
  if (row.state === 'queued' && extras.queue) view.queue = extras.queue;
  if (row.state === 'processing') view.progress = row.progress ? (JSON.parse(row.progress) as Generation['progress']) : { ...STARTING };
  if (row.cancelled_at != null) view.cancelled_at = isoSeconds(row.cancelled_at);
  return view;
}

/**
 * What an admin sees of a generation: the record, with the engine that served it and its
 * upstream job id (never shown on the Luma API), and the stored outputs by blob key.
 */
export function adminGenerationView(row: GenerationTable) {
  const upstream = row.upstream ? (JSON.parse(row.upstream) as { engine?: string; handle?: { id: string } }) : null;
  return {
    id: row.id,
    client_id: row.client_id,
    api_key_id: row.api_key_id,
    user_id: row.user_id,
    type: row.type,
    model: row.model,
    state: row.state,
    created_at: isoSeconds(row.created_at),
    updated_at: isoSeconds(row.updated_at),
    price_usd: row.price_micros / 1_000_000,
    failure_code: row.failure_code,
    failure_reason: row.failure_reason,
    engine: row.engine ?? null,
    upstream_id: upstream?.handle?.id ?? null,
    output: parseOutputs(row.output).map((o) => ({ type: o.type, media_type: o.media_type, key: o.key })),
  };
}
