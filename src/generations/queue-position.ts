import type { Generation } from '../contract/index.js';
import { queue, type Store } from '../store/index.js';

/** Extension: where a queued generation stands, or undefined once a worker holds it. */
export async function queuePosition(store: Store, generationId: string, now: number): Promise<Generation['queue']> {
  const place = await queue.jobPosition(store.db, generationId, now);
  if (!place) return undefined;
  return { position: place.ahead + 1, reason: place.runAt > now ? 'scheduled' : 'worker' };
}
