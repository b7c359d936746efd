import { systemClock } from '../clock.js';
import type { Generation, GenerationCreate } from './types.js';
import { APIUserAbortError, WaitTimeoutError } from './errors.js';
import { sleep } from './sleep.js';
import type { RequestOptions, Transport } from './transport.js';

export interface WaitOptions {
  /** Give up after this long, in ms (default 10 minutes, the spec's advice for video). */
  timeout?: number;
  /** First poll interval in ms (default 1000); it grows by half each poll up to `maxInterval`. */
  interval?: number;
  /** Longest poll interval in ms (default 5000). */
  maxInterval?: number;
  signal?: AbortSignal;
  /** Called with every polled state, terminal one included. */
  onProgress?: (generation: Generation, elapsedMs: number) => void;
}

export const isTerminal = (generation: Pick<Generation, 'state'>): boolean => generation.state === 'completed' || generation.state === 'failed';

export class Generations {
  constructor(private readonly transport: Transport) {}

  /** Submits a job; the returned generation is `queued`. */
  create(body: GenerationCreate, options?: RequestOptions): Promise<Generation> {
    return this.transport.request('POST', '/generations', body, options);
  }

  get(id: string, options?: RequestOptions): Promise<Generation> {
    if (!id) throw new TypeError('a generation id is required');
    return this.transport.request('GET', `/generations/${encodeURIComponent(id)}`, undefined, options);
  }

  /** Polls until the generation is `completed` or `failed`, and returns it in that state. */
  async waitFor(id: string, options: WaitOptions = {}): Promise<Generation> {
    const { timeout = 600_000, interval = 1000, maxInterval = 5000, signal, onProgress } = options;
    const started = systemClock.now();
    let delay = interval;
    for (;;) {
      const generation = await this.get(id, { signal });
      const elapsed = systemClock.now() - started;
      onProgress?.(generation, elapsed);
      if (isTerminal(generation)) return generation;
      if (elapsed + delay > timeout) throw new WaitTimeoutError(id, timeout);
      await sleep(delay, signal).catch(() => {
        throw new APIUserAbortError();
      });
      delay = Math.min(delay * 1.5, maxInterval);
    }
  }

  /** `create` then `waitFor`. */
  async createAndWait(body: GenerationCreate, options: WaitOptions = {}): Promise<Generation> {
    const created = await this.create(body, { signal: options.signal });
    return this.waitFor(created.id, options);
  }
}
