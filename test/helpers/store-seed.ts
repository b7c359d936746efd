import { randomUUID } from 'node:crypto';
import { clients, generations, queue, type Store } from '../../src/store/index.js';

export async function seedClient(store: Store): Promise<string> {
  const id = randomUUID();
  await clients.insertClient(store.db, { id, name: 'c', status: 'active', rpm_limit: null, max_concurrent: null, balance_micros: null, created_at: 0 });
  return id;
}

/** A queued generation of `clientId` (an image unless `type` says) with its job, as submit stores them. */
export async function seedGeneration(store: Store, clientId: string, now: number, maxAttempts = 3, type = 'image'): Promise<string> {
  const id = randomUUID();
  await store.db.transaction().execute(async (trx) => {
    await generations.insertGeneration(trx, {
      id,
      client_id: clientId,
      api_key_id: 'k',
      type,
      model: type.startsWith('video') ? 'ray-3.2' : 'uni-1',
      state: 'queued',
      request: '{}',
      user_id: null,
      output: null,
      failure_code: null,
      failure_reason: null,
      price_micros: 0,
      created_at: now,
      updated_at: now,
    });
    await queue.enqueueJob(trx, {
      generation_id: id,
      run_at: now,
      attempts: 0,
      max_attempts: maxAttempts,
      locked_by: null,
      locked_until: null,
      last_error: null,
      created_at: now,
      lane: null,
    });
  });
  return id;
}
