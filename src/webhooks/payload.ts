import type { FileTable, EventTable, generations } from '../store/index.js';

type StoredEvent = Pick<EventTable, 'type' | 'data' | 'created_at'>;
import { generationView } from '../generations/view.js';
import type { BlobUrls } from '../storage/index.js';
import { fileView } from '../files/view.js';

/**
 * A webhook's body, Standard Webhooks' recommended envelope: `type`, `timestamp` (of the event)
 * and `data`, the object a GET of the subject returns as of the event, with output URLs minted
 * at send time (so each attempt carries URLs valid for an hour).
 */
export async function eventPayload(event: StoredEvent, urls: BlobUrls, baseUrl: string, now: number) {
  const snapshot = JSON.parse(event.data);
  const data = event.type.startsWith('file.')
    ? fileView(snapshot as FileTable)
    : await generationView(snapshot as generations.GenerationView, urls, baseUrl, now, {});
  return { type: event.type, timestamp: new Date(event.created_at).toISOString(), data };
}
