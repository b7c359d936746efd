import type { Clock } from '../clock.js';
import { apiError } from '../contract/index.js';
import type { Events } from '../events.js';
import { endGeneration } from '../jobs/run-job.js';
import { generations, queue, type Store } from '../store/index.js';

/** Shown as `failure_reason` of a cancelled generation (its `failure_code` is `generation_failed`). */
export const CANCELLED_REASON = 'Generation was cancelled by the client';

/**
 * Extension: cancels a generation of this client. A queued one never runs; a running one is
 * stopped (its job goes, so its worker's lease is lost; a worker in this process is aborted at
 * once). Either way it ends `failed` with `cancelled_at` set and its hold refunded, in one
 * transaction. A generation that already ended is a 409.
 */
export async function cancelGeneration(deps: { store: Store; clock: Clock; events: Events }, clientId: string, id: string) {
  const { store, clock } = deps;
  const now = clock.now();
  const outcome = await store.transact(async (trx) => {
    const row = await generations.getGenerationById(trx, id);
    if (!row || row.client_id !== clientId) return { kind: 'missing' as const };
    if (row.state === 'completed' || row.state === 'failed') return { kind: 'ended' as const, state: row.state };
    await queue.deleteJobAnyHolder(trx, id);
    await endGeneration(store, trx, id, { kind: 'failed', code: 'generation_failed', reason: CANCELLED_REASON, cancelled: true }, now);
    return { kind: 'cancelled' as const };
  });
  if (outcome.kind === 'missing') throw apiError('GENERATION_NOT_FOUND');
  if (outcome.kind === 'ended') throw apiError('GENERATION_NOT_CANCELLABLE', { state: outcome.state });
  deps.events.emit('generation:cancelled', { generationId: id });
  return (await generations.getGeneration(store, id, clientId))!;
}
