import { generations, sharedState, type Store } from '../store/index.js';

const WINDOW_MS = 60_000;

export interface RpmDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Unix seconds when the window frees a slot. */
  reset: number;
  /** Seconds to wait, on refusal. */
  retryAfter: number;
}

/** Per-client sliding 60 s window of accepted submissions (spec §9). A submission refused after `take` keeps its slot spent. */
export interface RpmLimiter {
  take(clientId: string, limit: number, now: number): RpmDecision | Promise<RpmDecision>;
}

function refused(limit: number, oldest: number, now: number): RpmDecision {
  return {
    allowed: false,
    limit,
    remaining: 0,
    reset: Math.ceil((oldest + WINDOW_MS) / 1000),
    retryAfter: Math.max(1, Math.ceil((oldest + WINDOW_MS - now) / 1000)),
  };
}

const allowed = (limit: number, used: number, now: number): RpmDecision => ({
  allowed: true,
  limit,
  remaining: limit - used,
  reset: Math.ceil((now + WINDOW_MS) / 1000),
  retryAfter: 0,
});

/** The window in this process's memory: `atelier serve`, the only API process of its store. */
export class MemoryRpmLimiter implements RpmLimiter {
  private readonly windows = new Map<string, number[]>();

  take(clientId: string, limit: number, now: number): RpmDecision {
    const window = (this.windows.get(clientId) ?? []).filter((t) => t > now - WINDOW_MS);
    this.windows.set(clientId, window);
    if (window.length >= limit) return refused(limit, window[0], now);
    window.push(now);
    return allowed(limit, window.length, now);
  }
}

/**
 * The window counted in the store, so every API process sees the same one: a take locks the
 * client's row (Postgres; SQLite transactions are serial), so replicas accept exactly `limit`.
 */
export class StoreRpmLimiter implements RpmLimiter {
  constructor(private readonly store: Store) {}

  take(clientId: string, limit: number, now: number): Promise<RpmDecision> {
    const { store } = this;
    return store.transact(async (trx) => {
      await generations.lockClient(trx, store.dialect, clientId);
      const since = now - WINDOW_MS;
      await sharedState.pruneRateHits(trx, clientId, since);
      const window = await sharedState.readRateWindow(trx, clientId, since);
      if (window.count >= limit) return refused(limit, window.oldest ?? now, now);
      await sharedState.insertRateHit(trx, clientId, now);
      return allowed(limit, window.count + 1, now);
    });
  }
}
