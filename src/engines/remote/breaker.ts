export type BreakerState = 'closed' | 'open' | 'half-open';

/** What an operator sees of a breaker (`GET /admin/v1/engines`); times on the breaker's clock, epoch ms. */
export interface BreakerSnapshot {
  state: BreakerState;
  /** Retryable failures in a row. */
  failures: number;
  openedAt: number | null;
  /** When an open breaker lets its next trial through. */
  trialAt: number | null;
}

/**
 * A circuit breaker per engine and process: `failures` retryable failures in a row open it, an
 * open breaker skips the engine for `cooldown_ms`, then lets one trial through whose outcome
 * closes or reopens it.
 */
export class Breaker {
  private state: BreakerState = 'closed';
  private failures = 0;
  private openedAt = 0;
  private trialRunning = false;

  constructor(
    private readonly settings: { failures: number; cooldown_ms: number },
    private readonly now: () => number,
    private readonly onChange: (state: BreakerState) => void = () => undefined,
  ) {}

  get current(): BreakerState {
    return this.state;
  }

  snapshot(): BreakerSnapshot {
    const opened = this.state === 'closed' ? null : this.openedAt;
    return { state: this.state, failures: this.failures, openedAt: opened, trialAt: this.state === 'open' ? this.openedAt + this.settings.cooldown_ms : null };
  }

  /** True when a try may go to the engine now; a half-open breaker lets one trial through. */
  allow(): boolean {
    if (this.state === 'closed') return true;
    if (this.state === 'open' && this.now() - this.openedAt >= this.settings.cooldown_ms) this.move('half-open');
    if (this.state === 'half-open' && !this.trialRunning) {
      this.trialRunning = true;
      return true;
    }
    return false;
  }

  /** The engine answered (a done job, or a failure another try would repeat). */
  success(): void {
    this.failures = 0;
    this.trialRunning = false;
    if (this.state !== 'closed') this.move('closed');
  }

  /** A retryable failure: connection, timeout, 5xx, 429 past the give-up time, a lost job. */
  failure(): void {
    this.failures++;
    this.trialRunning = false;
    if (this.state === 'half-open' || (this.state === 'closed' && this.failures >= this.settings.failures)) {
      this.openedAt = this.now();
      this.move('open');
    }
  }

  private move(state: BreakerState): void {
    this.state = state;
    this.onChange(state);
  }
}
