/**
 * Runs `task` every `intervalMs`, never two at once (a tick that finds the last run still going
 * is skipped); `stop` waits for the run in progress. The timer never keeps the process alive.
 */
export class Periodic {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly task: () => Promise<unknown>,
    private readonly intervalMs: number,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** With `now`, the first run starts at once rather than after one interval. */
  start(now = false): void {
    if (now) this.tick();
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
  }

  private tick(): void {
    this.running ??= this.task()
      .then(() => undefined, this.onError)
      .finally(() => (this.running = null));
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
