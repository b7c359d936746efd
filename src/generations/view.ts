import { isoSeconds } from '../clock.js';
import type { Generation } from '../contract/index.js';
import { blobPath } from '../storage/index.js';
import type { generations } from '../store/index.js';
import { parseOutputs } from './records.js';

/** Extension fields of one view, decided by the caller (none under --strict). */
export interface ViewExtras {
  queue?: Generation['queue'];
}

const STARTING = { fraction: 0, stage: 'starting' } as const;

/** The API's Generation object, with output URLs minted fresh for this response; `extras` adds the extension fields. */
export function generationView(row: generations.GenerationView, baseUrl: string, secret: Buffer, now: number, extras?: ViewExtras): Generation {
  const output =
    row.state === 'completed'
      ? parseOutputs(row.output).map((o) => ({ type: o.type, url: baseUrl + blobPath(secret, o.key, now), ...(o.layer && { layer: o.layer }) }))
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
