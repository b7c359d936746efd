import { emulatorState, type Store } from '../store/index.js';

/** Tries of a request not retried for this long are forgotten. */
const FORGET_AFTER_MS = 24 * 60 * 60 * 1000;

/**
 * Counts a try of the flaky request `id` in the store, so API processes sharing it count together.
 * True while it is one of the first `failing` tries; the try after those succeeds and starts the
 * count again, so the same request sent later is flaky again.
 */
export function flakyFails(store: Store, id: string, failing: number, now: number): Promise<boolean> {
  return store.transact(async (trx) => {
    const tried = await emulatorState.countFlakyTry(trx, id, now);
    if (tried === 1) await emulatorState.pruneFlaky(trx, now - FORGET_AFTER_MS);
    if (tried <= failing) return true;
    await emulatorState.forgetFlaky(trx, id);
    return false;
  });
}
