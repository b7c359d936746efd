import type { Generation, GenerationCreate } from './types.js';
import { poll, type PollOptions } from './poll.js';
import type { RequestOptions, Transport } from './transport.js';

/** Defaults: 10 minutes (the spec's advice for video), polling from 1 s up to every 5 s. */
export type WaitOptions = PollOptions<Generation>;

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
  waitFor(id: string, options: WaitOptions = {}): Promise<Generation> {
    return poll(id, (signal) => this.get(id, { signal }), isTerminal, { timeout: 600_000, interval: 1000, maxInterval: 5000 }, options);
  }

  /** `create` then `waitFor`. */
  async createAndWait(body: GenerationCreate, options: WaitOptions = {}): Promise<Generation> {
    const created = await this.create(body, { signal: options.signal });
    return this.waitFor(created.id, options);
  }
}
