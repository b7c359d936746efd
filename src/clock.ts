/** The one source of time. Nothing else calls Date.now() or performance.now(). */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A monotonic reading in ms, for how long work takes: it runs on under `--clock virtual`, which a Clock does not. */
export const monotonicMs = (): number => performance.now();

/** A clock that stands still until it is moved forward (`--clock virtual`). */
export interface MovableClock extends Clock {
  /** Moves it forward by `ms`; answers the new time. */
  advance(ms: number): number | Promise<number>;
  /** Whatever waits on time (the workers' scheduled jobs) listens here and wakes. */
  onAdvance(listener: (now: number) => void): () => void;
}

export const isMovable = (clock: Clock): clock is MovableClock => typeof (clock as Partial<MovableClock>).advance === 'function';

/** A virtual clock in this process's memory; see roles/stored-clock.ts for one shared through the store. */
export class VirtualClock implements MovableClock {
  private readonly listeners = new Set<(now: number) => void>();

  constructor(private ms: number = Date.now()) {}

  now(): number {
    return this.ms;
  }

  advance(ms: number): number {
    if (!(ms >= 0)) throw new RangeError(`a clock only moves forward, not by ${ms} ms`);
    this.ms += ms;
    return this.moved();
  }

  /** Moves it to `ms` when that is later; never back. */
  moveTo(ms: number): number {
    if (ms <= this.ms) return this.ms;
    this.ms = ms;
    return this.moved();
  }

  private moved(): number {
    for (const listener of this.listeners) listener(this.ms);
    return this.ms;
  }

  onAdvance(listener: (now: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

const DAY_MS = 86_400_000;
let day = { number: NaN, prefix: '' };
const twoDigits = (n: number) => (n < 10 ? `0${n}` : String(n));

/** `2026-04-08T12:00:00Z`, the spec's created_at format; on every poll, so the date part is reused. */
export function isoSeconds(ms: number): string {
  const number = Math.floor(ms / DAY_MS);
  if (number !== day.number) day = { number, prefix: new Date(number * DAY_MS).toISOString().slice(0, 11) };
  const seconds = Math.floor((ms - number * DAY_MS) / 1000);
  return `${day.prefix}${twoDigits(Math.floor(seconds / 3600))}:${twoDigits(Math.floor(seconds / 60) % 60)}:${twoDigits(seconds % 60)}Z`;
}
