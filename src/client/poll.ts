import { systemClock } from '../clock.js';
import { APIUserAbortError, WaitTimeoutError } from './errors.js';
import { sleep } from './sleep.js';

export interface PollOptions<T> {
  /** Give up after this long, in ms. */
  timeout?: number;
  /** First poll interval in ms; it grows by half each poll up to `maxInterval`. */
  interval?: number;
  maxInterval?: number;
  signal?: AbortSignal;
  /** Called with every polled state, the final one included. */
  onProgress?: (value: T, elapsedMs: number) => void;
}

/** Reads `id` until `done` says so, backing off between reads; WaitTimeoutError past the timeout. */
export async function poll<T>(
  id: string,
  read: (signal?: AbortSignal) => Promise<T>,
  done: (value: T) => boolean,
  defaults: { timeout: number; interval: number; maxInterval: number },
  options: PollOptions<T>,
): Promise<T> {
  const { timeout, interval, maxInterval } = { ...defaults, ...options };
  const started = systemClock.now();
  let delay = interval;
  for (;;) {
    const value = await read(options.signal);
    const elapsed = systemClock.now() - started;
    options.onProgress?.(value, elapsed);
    if (done(value)) return value;
    if (elapsed + delay > timeout) throw new WaitTimeoutError(id, timeout);
    await sleep(delay, options.signal).catch(() => {
      throw new APIUserAbortError();
    });
    delay = Math.min(delay * 1.5, maxInterval);
  }
}
