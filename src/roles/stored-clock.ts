import type { Logger } from 'pino';
import { systemClock, VirtualClock, type MovableClock } from '../clock.js';
import { emulatorState, type Store } from '../store/index.js';
import type { Releasers } from './releasers.js';

/**
 * `--clock virtual` shared by every process of a store: the time is kept in the store, and each
 * process reads it from its own VirtualClock, which follows every advance through the `clock:advanced`
 * notification (re-read after a notification gap). Processes sharing a SQLite data dir have no
 * notifications across them, so they re-read it at the poll interval instead.
 */
export class StoredClock implements MovableClock {
  private constructor(
    private readonly store: Store,
    private readonly local: VirtualClock,
  ) {}

  /**
   * A process alone on its store (`serve` on SQLite) starts at the real time, or later if the
   * stored time was advanced past it; processes sharing a store take the stored time as it is.
   */
  static async open(store: Store, deps: { logger: Logger; pollIntervalMs: number; releasers: Releasers }): Promise<StoredClock> {
    const now = await emulatorState.startClock(store.db, systemClock.now(), !store.dialect.shared);
    const clock = new StoredClock(store, new VirtualClock(now));
    const reread = () =>
      emulatorState
        .readClock(store.db)
        .then((ms) => clock.local.moveTo(ms))
        .catch((err) => deps.logger.warn({ err }, 'virtual clock not re-read'));
    const offs = [store.notifications.subscribe('clock:advanced', ({ now }) => clock.local.moveTo(now)), store.notifications.onGap(reread)];
    if (store.dialect.shared && store.dialect.name === 'sqlite') {
      const timer = setInterval(reread, deps.pollIntervalMs);
      timer.unref();
      offs.push(() => clearInterval(timer));
    }
    deps.releasers.push(async () => offs.forEach((off) => off()));
    return clock;
  }

  now(): number {
    return this.local.now();
  }

  onAdvance(listener: (now: number) => void): () => void {
    return this.local.onAdvance(listener);
  }

  async advance(ms: number): Promise<number> {
    if (!(ms >= 0)) throw new RangeError(`a clock only moves forward, not by ${ms} ms`);
    const now = await this.store.transact(async (trx) => {
      const moved = await emulatorState.advanceClock(trx, ms);
      await this.store.notifications.publish(trx, 'clock:advanced', { now: moved });
      return moved;
    });
    return this.local.moveTo(now);
  }
}
