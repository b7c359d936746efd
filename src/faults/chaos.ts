import { parseFault, type Fault } from './fault.js';

/** What chaos picks from: the transient faults a resilient client should ride out. */
export const CHAOS_FAULTS: readonly Fault[] = ['http:429', 'http:500', 'http:502', 'http:503', 'generation_failed', 'output_not_found', 'rate_limited'].map(
  (text) => parseFault(text)!,
);

/**
 * Seeded random faults at `rate`: the n-th submission gets the same decision for the same seed
 * (mulberry32, never Math.random). `next` counts submissions after a start in this process; `at`
 * decides for a count kept elsewhere (the store's, shared by API processes).
 */
export class Chaos {
  private drawn = 0;

  constructor(
    readonly rate: number,
    private readonly seed: number,
  ) {}

  next(): Fault | null {
    return this.at(this.drawn++);
  }

  /** The decision for the n-th submission, counting from 0. */
  at(n: number): Fault | null {
    if (this.rate <= 0) return null;
    const roll = mulberry32(this.seed, 2 * n + 1);
    const pick = mulberry32(this.seed, 2 * n + 2);
    return roll < this.rate ? CHAOS_FAULTS[Math.floor(pick * CHAOS_FAULTS.length)] : null;
  }
}

/** The k-th number (from 1) of mulberry32's sequence for `seed`: its state then is seed + k × the step. */
function mulberry32(seed: number, k: number): number {
  const state = ((seed | 0) + Math.imul(k, 0x6d2b79f5)) | 0;
  let t = Math.imul(state ^ (state >>> 15), 1 | state);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
