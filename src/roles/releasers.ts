import type { Logger } from 'pino';

/** Release functions of everything a process started, run last-registered first on shutdown. */
export class Releasers {
  private readonly stack: Array<() => Promise<void>> = [];

  push(release: () => Promise<void>): void {
    this.stack.push(release);
  }

  /** Runs every release, each even if an earlier one failed. */
  async releaseAll(logger: Logger): Promise<void> {
    while (this.stack.length > 0) {
      try {
        await this.stack.pop()!();
      } catch (err) {
        logger.error({ err }, 'release failed');
      }
    }
  }
}
