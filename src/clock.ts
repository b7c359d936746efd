/** The one source of time. Nothing else calls Date.now() or performance.now(). */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A monotonic reading in ms, for how long work takes: it runs on under `--clock virtual`, which a Clock does not. */
export const monotonicMs = (): number => performance.now();

/**
 * A clock that stands still until it is advanced (`--clock virtual`). Whatever waits on
 * time (the workers' scheduled jobs) listens through `onAdvance` and wakes.
 */
export class VirtualClock implements Clock {
  private readonly listeners = new Set<(now: number) => void>();

  constructor(private ms: number = Date.now()) {}

  now(): number {
    return this.ms;
  }

  advance(ms: number): number {
    if (!(ms >= 0)) throw new RangeError(`a clock only moves forward, not by ${ms} ms`);
    this.ms += ms;
    for (const listener of this.listeners) listener(this.ms);
    return this.ms;
  }

  onAdvance(listener: (now: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** `2026-04-08T12:00:00Z`, the spec's created_at format. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
