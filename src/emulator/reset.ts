import type { Clock } from '../clock.js';
import { settleHold } from '../jobs/settle.js';
import type { BlobStore } from '../storage/index.js';
import { generations, type Store } from '../store/index.js';

export interface ResetResult {
  generations: number;
  files: number;
}

/** The blob folders of generations (outputs and copied inputs) and of uploaded files. */
const BLOB_PREFIXES = ['generations', 'inputs', 'files'];

/**
 * Empties the emulator between tests: every generation (with its job, events and usage), every
 * file and their blobs. Clients, keys, balances and the ledger stay; an unfinished generation is
 * first failed and its hold refunded, as a cancel would, so every balance still equals its ledger.
 */
export async function resetEmulator(deps: { store: Store; clock: Clock; blobs?: BlobStore }): Promise<ResetResult> {
  const now = deps.clock.now();
  const result = await deps.store.transact(async (trx) => {
    const open = await trx.selectFrom('generations').selectAll().where('state', 'in', ['queued', 'processing']).execute();
    for (const generation of open) {
      const failed = await generations.failGeneration(trx, generation.id, { code: 'generation_failed', reason: 'Emulator reset', cancelled: true }, now);
      if (failed) await settleHold(trx, generation, false, now);
    }
    const counted = await trx.selectFrom('generations').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const files = await trx.selectFrom('files').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    for (const table of ['jobs', 'events', 'idempotency_keys', 'webhook_attempts', 'webhook_deliveries', 'engine_callbacks', 'usage_daily_user', 'usage_daily', 'generations', 'files'] as const) {
      await trx.deleteFrom(table).execute();
    }
    return { generations: Number(counted.n), files: Number(files.n) };
  });
  if (deps.blobs) for (const prefix of BLOB_PREFIXES) await deps.blobs.deletePrefix(prefix);
  return result;
}
