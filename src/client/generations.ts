import { randomUUID } from 'node:crypto';
import type { Generation, GenerationCreate } from './types.js';
import { poll, type PollOptions } from './poll.js';
import { streamGeneration, type GenerationEvent, type StreamOptions } from './stream.js';
import type { RequestOptions, Transport } from './transport.js';

/** Defaults: 10 minutes (the spec's advice for video), polling from 1 s up to every 5 s. */
export type WaitOptions = PollOptions<Generation>;

export const isTerminal = (generation: Pick<Generation, 'state'>): boolean => generation.state === 'completed' || generation.state === 'failed';

/** Filters of `list` (an Atelier extension). */
export interface GenerationListOptions {
  cursor?: string;
  limit?: number;
  state?: Generation['state'];
  type?: Generation['type'];
  model?: Generation['model'];
  user_id?: string;
  /** ISO 8601 instants. */
  created_after?: string;
  created_before?: string;
}

export interface GenerationList {
  data: Generation[];
  has_more: boolean;
  next_cursor: string | null;
}

export interface CreateOptions extends RequestOptions {
  /** Sent as Idempotency-Key; by default a fresh one per call, so the SDK's own retries never create a second job. */
  idempotencyKey?: string;
}

export class Generations {
  constructor(private readonly transport: Transport) {}

  /** Submits a job; the returned generation is `queued`. Retries carry the same Idempotency-Key. */
  create(body: GenerationCreate, options: CreateOptions = {}): Promise<Generation> {
    const { idempotencyKey = randomUUID(), ...rest } = options;
    return this.transport.request('POST', '/generations', body, { ...rest, headers: { 'idempotency-key': idempotencyKey, ...rest.headers } });
  }

  get(id: string, options?: RequestOptions): Promise<Generation> {
    if (!id) throw new TypeError('a generation id is required');
    return this.transport.request('GET', `/generations/${encodeURIComponent(id)}`, undefined, options);
  }

  /** One page of the client's generations, newest first (Atelier extension; not in the Luma API). */
  list(query: GenerationListOptions = {}, options?: RequestOptions): Promise<GenerationList> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
    return this.transport.request('GET', `/generations${params.size ? `?${params}` : ''}`, undefined, options);
  }

  /** Every generation matching `query`, page after page. */
  async *listAll(query: Omit<GenerationListOptions, 'cursor'> = {}, options?: RequestOptions): AsyncGenerator<Generation> {
    let cursor: string | undefined;
    do {
      const page = await this.list({ ...query, cursor }, options);
      yield* page.data;
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
  }

  /** Cancels a queued or running generation; it ends `failed` with `cancelled_at` set, and is refunded (Atelier extension). */
  cancel(id: string, options?: RequestOptions): Promise<Generation> {
    if (!id) throw new TypeError('a generation id is required');
    return this.transport.request('POST', `/generations/${encodeURIComponent(id)}/cancel`, undefined, options);
  }

  /**
   * Its state changes and progress as they happen, ending with `generation.completed` or
   * `generation.failed`: Server-Sent Events (Atelier extension), falling back to polling where the
   * server has none (the Luma API, or `--strict`).
   */
  stream(id: string, options: StreamOptions = {}): AsyncGenerator<GenerationEvent> {
    if (!id) throw new TypeError('a generation id is required');
    return streamGeneration(this.transport, (signal) => this.get(id, { signal }), id, options);
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
