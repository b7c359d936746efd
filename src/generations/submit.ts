import type { Principal, RpmDecision, RpmLimiter } from '../accounts/index.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import { apiError, normalizeGeneration, type GenerationCreate } from '../contract/index.js';
import type { SubmitEmulation } from '../emulator/emulator.js';
import type { Events } from '../events.js';
import type { MediaFetcher } from '../media/fetch/index.js';
import type { BlobStore } from '../storage/index.js';
import type { Transaction } from 'kysely';
import { generations, ledger, queue, timeOrderedId, type Database, type GenerationTable, type Store } from '../store/index.js';
import { priceOf } from '../accounts/index.js';
import { checkUserBudgets } from '../accounts/budgets.js';
import { ingestRefs, inputPrefix, refSlots, resolveChainedRefs } from './inputs.js';
import { describeRef, describeVideo, type StoredRequest } from './records.js';
import { measureVideoSource } from './video-source.js';
import type { VideoToolkit } from '../media/video/index.js';
import type { Routing } from '../engines/index.js';

/** Concurrency slots older than this are not counted (spec §9: pruned after 1 hour). */
const SLOT_TTL_MS = 60 * 60 * 1000;

export interface SubmitDeps {
  store: Store;
  blobs: BlobStore;
  fetcher: MediaFetcher;
  clock: Clock;
  limiter: RpmLimiter;
  events: Events;
  config: Pick<Config, 'rpm' | 'maxConcurrent' | 'maxAttempts' | 'limits'>;
  video?: VideoToolkit;
  /** Which models exist here, their prices and engines; absent = the spec's models on local engines. */
  routing?: Routing;
  /** Where video sources are copied to be probed, when the blob store keeps them elsewhere. */
  scratchDir?: string;
}

export interface Submitted {
  row: GenerationTable;
  /** X-RateLimit-* headers, when an RPM limit applies. */
  headers: Record<string, string>;
}

function rateHeaders(rpm: RpmDecision): Record<string, string> {
  return {
    'x-ratelimit-limit': String(rpm.limit),
    'x-ratelimit-remaining': String(rpm.remaining),
    'x-ratelimit-reset': String(rpm.reset),
  };
}

/** Takes a slot of the client's RPM window; null when no RPM limit applies. */
export async function takeRpmSlot(limiter: RpmLimiter, principal: Principal, config: Pick<Config, 'rpm'>, now: number): Promise<RpmDecision | null> {
  const limit = principal.rpmLimit ?? config.rpm;
  return limit > 0 ? limiter.take(principal.clientId, limit, now) : null;
}

export const rateLimited = (rpm: RpmDecision) => apiError('RATE_LIMITED', {}, { ...rateHeaders(rpm), 'retry-after': String(rpm.retryAfter) });

/** Takes the price off the balance, never below zero, and records the hold. */
async function holdFunds(trx: Transaction<Database>, row: GenerationTable): Promise<void> {
  if (!(await ledger.moveFunds(trx, row.client_id, -row.price_micros))) throw apiError('INSUFFICIENT_CREDITS');
  await ledger.appendLedger(trx, {
    client_id: row.client_id,
    kind: 'hold',
    amount_micros: -row.price_micros,
    generation_id: row.id,
    user_id: row.user_id,
    reason: null,
    created_at: row.created_at,
  });
}

/**
 * Submit: validate → chained refs → budgets → RPM → ingest inputs → one transaction that checks
 * budgets, holds the price (402), checks concurrency (429) and inserts the generation and its job.
 * The balance and concurrency are read ahead of the transaction only where that changes the
 * outcome: before a 429 for RPM (402 comes first) and before fetching inputs.
 */
export async function submitGeneration(
  deps: SubmitDeps,
  principal: Principal,
  body: GenerationCreate,
  emulate?: SubmitEmulation,
  /** The RPM slot taken before the body was read (large bodies); taken here otherwise. */
  taken: RpmDecision | null = null,
  /** Runs in the transaction that stores the generation (extensions record what belongs with it). */
  alsoStore?: (trx: Transaction<Database>, row: GenerationTable) => Promise<void>,
): Promise<Submitted> {
  const { store, clock, limiter, config } = deps;
  const routing = deps.routing;
  const request = normalizeGeneration(body, routing && ((model) => routing.typesOf(model)));
  const priced = (seconds?: number) => (routing ? routing.price(request, seconds) : priceOf(request, seconds));
  const slots = refSlots(request);
  const now = clock.now();
  const chained = await resolveChainedRefs(store, principal.clientId, slots, now);

  let price = priced();
  if (request.user_id) await checkUserBudgets(store.db, principal.clientId, request.user_id, price, now);
  const maxConcurrent = principal.maxConcurrent ?? config.maxConcurrent;
  const rpm = taken ?? (await takeRpmSlot(limiter, principal, config, now));
  const refuseIfShort = async () => {
    if (principal.metered && ((await ledger.readBalance(store, principal.clientId)) ?? 0) < price) throw apiError('INSUFFICIENT_CREDITS');
  };
  if (rpm && !rpm.allowed) {
    await refuseIfShort();
    throw rateLimited(rpm);
  }

  const checkConcurrency = async (db: Store['db']) => {
    if (maxConcurrent > 0 && (await generations.countActiveGenerations(db, principal.clientId, now - SLOT_TTL_MS)) >= maxConcurrent) {
      throw apiError('TOO_MANY_CONCURRENT', {}, { 'retry-after': '60' });
    }
  };

  const id = timeOrderedId(now);
  // From here on a refusal removes every input byte it stored, and keeps its RPM slot: a refused
  // submit costs its sender a request like any other, or large refused bodies would come for free.
  try {
    if (slots.some((slot) => !chained.has(slot))) {
      await refuseIfShort();
      await checkConcurrency(store.db);
    }
    const inputs = await ingestRefs(deps.blobs, id, slots, chained, config.limits, deps.fetcher);
    // Edits and reframes are priced by the source's length, known once its bytes are here.
    if (request.video) price = priced( await measureVideoSource(deps, id, principal.clientId, request, inputs, config.limits));
    const emulation = emulate?.plan(request);
    const stored: StoredRequest = {
      ...request,
      source: request.source && describeRef(request.source),
      image_ref: request.image_ref.map(describeRef),
      ...(request.video ? { video: describeVideo(request.video) } : {}),
      inputs,
      ...(emulation ? { emulation } : {}),
    };
    const row: GenerationTable = {
      id,
      client_id: principal.clientId,
      api_key_id: principal.keyId,
      type: request.type,
      model: request.model,
      state: 'queued',
      request: JSON.stringify(stored),
      user_id: request.user_id,
      output: null,
      failure_code: null,
      failure_reason: null,
      price_micros: price,
      created_at: now,
      updated_at: now,
    };
    const lane = routing?.lane(request.model, request.type) ?? null;
    await store.transact(async (trx) => {
      await generations.lockClient(trx, store.dialect, principal.clientId);
      if (request.user_id) await checkUserBudgets(trx, principal.clientId, request.user_id, price, now);
      if (principal.metered) await holdFunds(trx, row);
      await checkConcurrency(trx);
      await generations.insertGeneration(trx, row);
      await queue.enqueueJob(trx, {
        generation_id: id,
        run_at: now,
        attempts: 0,
        max_attempts: config.maxAttempts,
        locked_by: null,
        locked_until: null,
        last_error: null,
        created_at: now,
        lane,
      });
      await store.notifications.publish(trx, 'job:new', { generationId: id, lane });
      await store.notifications.publish(trx, 'generation:changed', { clientId: row.client_id, generationId: id, state: 'queued' });
      await alsoStore?.(trx, row);
    });
    emulate?.stored();
    deps.events.emit('job:queued', { generationId: id });
    return { row, headers: rpm ? rateHeaders(rpm) : {} };
  } catch (err) {
    // A failed delete is left to the input sweeper.
    await deps.blobs.deletePrefix(inputPrefix(id)).catch(() => undefined);
    throw err;
  }
}
