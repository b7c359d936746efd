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

/** Per-client sliding 60 s window of accepted submissions (spec §9). In memory, per process. */
export class RpmLimiter {
  private readonly windows = new Map<string, number[]>();

  /** Takes a slot when one is free. A submission refused after this keeps its slot spent. */
  take(clientId: string, limit: number, now: number): RpmDecision {
    const window = (this.windows.get(clientId) ?? []).filter((t) => t > now - WINDOW_MS);
    this.windows.set(clientId, window);
    if (window.length >= limit) {
      const oldest = window[0];
      return {
        allowed: false,
        limit,
        remaining: 0,
        reset: Math.ceil((oldest + WINDOW_MS) / 1000),
        retryAfter: Math.max(1, Math.ceil((oldest + WINDOW_MS - now) / 1000)),
      };
    }
    window.push(now);
    return {
      allowed: true,
      limit,
      remaining: limit - window.length,
      reset: Math.ceil((now + WINDOW_MS) / 1000),
      retryAfter: 0,
    };
  }
}
