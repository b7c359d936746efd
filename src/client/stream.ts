import { APIError, APIUserAbortError } from './errors.js';
import { sleep } from './sleep.js';
import type { Generation } from './types.js';
import type { Transport } from './transport.js';

/** One event of a generation: a state change (`generation.processing` …) or `generation.progress`. */
export interface GenerationEvent {
  type: string;
  /** The event id (absent on progress); resume from it with `lastEventId`. */
  id?: string;
  /** The generation as of the event; on progress, only its id and `progress`. */
  generation: Generation | (Pick<Generation, 'id'> & { progress: NonNullable<Generation['progress']> });
}

export interface StreamOptions {
  signal?: AbortSignal;
  /** Resume after this event id. */
  lastEventId?: string;
  /** Polling interval when the server has no event streams (the Luma API, or --strict). */
  pollInterval?: number;
}

const terminal = (type: string) => type === 'generation.completed' || type === 'generation.failed';

/** Parses an SSE body into events. */
async function* sseEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<{ id?: string; event: string; data: string }> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true }).replace(/\r\n?/g, '\n');
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let id: string | undefined;
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        const colon = line.indexOf(':');
        if (colon === 0) continue;
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'id') id = value;
        else if (field === 'event') event = value;
        else if (field === 'data') data.push(value);
      }
      if (data.length) yield { id, event, data: data.join('\n') };
    }
  }
}

/**
 * Live events of one generation until it ends: Server-Sent Events where the server has them
 * (reconnecting with Last-Event-ID when the connection drops), else polling, which yields one
 * event per state change and per progress change.
 */
export async function* streamGeneration(transport: Transport, get: (signal?: AbortSignal) => Promise<Generation>, id: string, options: StreamOptions = {}): AsyncGenerator<GenerationEvent> {
  let lastEventId = options.lastEventId;
  for (let failures = 0; ; ) {
    let res: Response;
    try {
      res = await transport.openStream(`/generations/${encodeURIComponent(id)}/events`, lastEventId ? { 'last-event-id': lastEventId } : {}, options.signal);
    } catch (err) {
      // No event streams here (a spec-only server answers 404 Not Found or 405): poll instead.
      if (err instanceof APIError && (err.status === 405 || (err.status === 404 && err.detail === 'Not Found'))) return yield* pollGeneration(get, options);
      if (err instanceof APIError || err instanceof APIUserAbortError || ++failures > 5) throw err;
      await sleep(500 * failures, options.signal);
      continue;
    }
    try {
      for await (const raw of sseEvents(res.body!)) {
        failures = 0;
        const payload = JSON.parse(raw.data);
        if (raw.id) lastEventId = raw.id;
        const generation = raw.event === 'generation.progress' ? { id: payload.id, progress: payload.progress } : payload.data;
        yield { type: raw.event, id: raw.id, generation };
        if (terminal(raw.event)) return;
      }
    } catch (err) {
      if (options.signal?.aborted) throw new APIUserAbortError();
      if (++failures > 5) throw err;
    }
    // The connection ended before the generation did (a restart): resume from the last event.
  }
}

async function* pollGeneration(get: (signal?: AbortSignal) => Promise<Generation>, options: StreamOptions): AsyncGenerator<GenerationEvent> {
  let state = '';
  let progress = '';
  for (;;) {
    const generation = await get(options.signal);
    const now = JSON.stringify(generation.progress ?? null);
    if (generation.state !== state) yield { type: `generation.${generation.state}`, generation };
    else if (now !== progress) yield { type: 'generation.progress', generation };
    state = generation.state;
    progress = now;
    if (terminal(`generation.${generation.state}`)) return;
    await sleep(options.pollInterval ?? 1000, options.signal).catch(() => {
      throw new APIUserAbortError();
    });
  }
}

/** One event of the client's stream: a generation's or a file's change, or a generation's progress. */
export interface ClientEvent {
  type: string;
  id?: string;
  /** `{type, timestamp, data}` for changes; `{type, id, progress}` for progress. */
  payload: any;
}

/** Every event of the client as it happens (Atelier extension `GET /v1/events`), resuming after a dropped connection. */
export async function* streamClientEvents(transport: Transport, options: Omit<StreamOptions, 'pollInterval'> = {}): AsyncGenerator<ClientEvent> {
  let lastEventId = options.lastEventId;
  for (let failures = 0; ; ) {
    try {
      const res = await transport.openStream('/events', lastEventId ? { 'last-event-id': lastEventId } : {}, options.signal);
      for await (const raw of sseEvents(res.body!)) {
        failures = 0;
        if (raw.id) lastEventId = raw.id;
        yield { type: raw.event, id: raw.id, payload: JSON.parse(raw.data) };
      }
    } catch (err) {
      if (err instanceof APIError || options.signal?.aborted || ++failures > 5) throw err;
      await sleep(500 * failures, options.signal);
    }
  }
}
