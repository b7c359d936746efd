import type { Clock } from '../clock.js';
import type { Events } from '../events.js';
import { endGeneration } from '../jobs/run-job.js';
import type { BlobStore } from '../storage/index.js';
import type { Store } from '../store/index.js';

export interface ResetResult {
  generations: number;
  files: number;
}

/** The blob folders of generations (outputs and copied inputs) and of uploaded files. */
const BLOB_PREFIXES = ['generations', 'inputs', 'files'];

/**
 * Empties the emulator between tests: every generation (with its job, events and usage), every
 * file and their blobs. Clients, keys, balances and the ledger stay; an unfinished generation is
 * first failed and its hold refunded, as a cancel would, so every balance still equals its ledger,
 * and a running one is stopped as a cancel stops it: its worker lets go and its upstream job is cancelled.
 */
export async function resetEmulator(deps: { store: Store; clock: Clock; events?: Events; blobs?: BlobStore }): Promise<ResetResult> {
  const now = deps.clock.now();
  // Two transactions: a transaction's usage changes are written at its end, so ending the open
  // generations in the emptying one would leave their usage rows behind.
  const open = await deps.store.transact(async (trx) => {
    const ids = (await trx.selectFrom('generations').select('id').where('state', 'in', ['queued', 'processing']).execute()).map((g) => g.id);
    for (const id of ids) await endGeneration(deps.store, trx, id, { kind: 'failed', code: 'generation_failed', reason: 'Emulator reset', cancelled: true }, now);
    return ids;
  });
  const result = await deps.store.transact(async (trx) => {
    const counted = await trx.selectFrom('generations').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const files = await trx.selectFrom('files').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    for (const table of ['jobs', 'events', 'idempotency_keys', 'webhook_attempts', 'webhook_deliveries', 'engine_callbacks', 'usage_daily_user', 'usage_daily', 'generations', 'files'] as const) {
      await trx.deleteFrom(table).execute();
    }
    return { generations: Number(counted.n), files: Number(files.n) };
  });
  // Workers in this process stop at once; in others, on the `generation:changed` each end published.
  for (const generationId of open) deps.events?.emit('generation:cancelled', { generationId });
  if (deps.blobs) for (const prefix of BLOB_PREFIXES) await deps.blobs.deletePrefix(prefix);
  return result;
}
