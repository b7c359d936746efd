import { isoSeconds } from '../clock.js';
import type { Generation } from '../contract/index.js';
import { blobPath } from '../storage/index.js';
import type { generations } from '../store/index.js';
import { parseOutputs } from './records.js';

/** The API's Generation object, with output URLs minted fresh for this response. */
export function generationView(row: generations.GenerationView, baseUrl: string, secret: Buffer, now: number): Generation {
  const output =
    row.state === 'completed'
      ? parseOutputs(row.output).map((o) => ({ type: o.type, url: baseUrl + blobPath(secret, o.key, now), ...(o.layer && { layer: o.layer }) }))
      : [];
  return {
    id: row.id,
    type: row.type as Generation['type'],
    state: row.state,
    model: row.model as Generation['model'],
    created_at: isoSeconds(row.created_at),
    output,
    failure_reason: row.failure_reason,
    failure_code: row.failure_code as Generation['failure_code'],
  };
}
