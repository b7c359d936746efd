import { parseFault, type Fault } from './fault.js';

/** What chaos picks from: the transient faults a resilient client should ride out. */
export const CHAOS_FAULTS: readonly Fault[] = ['http:429', 'http:500', 'http:502', 'http:503', 'generation_failed', 'output_not_found', 'rate_limited'].map(
  (text) => parseFault(text)!,
);

/**
 * Seeded random faults at `rate`: the n-th submission after a start gets the same decision for
 * the same seed (mulberry32, never Math.random). Concurrent submissions take turns in arrival order.
 */
export class Chaos {
  private state: number;

  constructor(
    private readonly rate: number,
    seed: number,
  ) {
    this.state = seed | 0;
  }

  next(): Fault | null {
    if (this.rate <= 0) return null;
    const roll = this.random();
    const pick = this.random();
    return roll < this.rate ? CHAOS_FAULTS[Math.floor(pick * CHAOS_FAULTS.length)] : null;
  }

  private random(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = Math.imul(this.state ^ (this.state >>> 15), 1 | this.state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}
