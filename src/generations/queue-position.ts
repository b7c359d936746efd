import type { Generation } from '../contract/index.js';
import type { Routing } from '../engines/index.js';
import { heartbeats, queue, type Store } from '../store/index.js';

export interface QueuePositionDeps {
  store: Store;
  routing: Routing;
}

/**
 * Extension: where a queued generation stands, or undefined once a worker holds it. `scheduled`:
 * not due yet; `backend`: its remote engine has `in_flight` jobs running in every live worker
 * process; `worker`: waiting for a free worker.
 */
export async function queuePosition(deps: QueuePositionDeps, generationId: string, now: number): Promise<Generation['queue']> {
  const place = await queue.jobPosition(deps.store.db, generationId, now);
  if (!place) return undefined;
  const position = place.ahead + 1;
  if (place.runAt > now) return { position, reason: 'scheduled' };
  if (place.lane !== null && (await laneFull(deps, place.lane, now))) return { position, reason: 'backend' };
  return { position, reason: 'worker' };
}

/** Each worker process runs up to the engine's `in_flight` of its jobs at once (the remote lane). */
async function laneFull(deps: QueuePositionDeps, lane: string, now: number): Promise<boolean> {
  const link = deps.routing.remote(lane);
  if (!link) return false;
  const processes = await heartbeats.countLiveWorkerProcesses(deps.store.db, now);
  return processes > 0 && (await queue.countHeldInLane(deps.store.db, lane, now)) >= link.entry.in_flight * processes;
}
