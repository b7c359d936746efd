import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { monotonicMs, type Clock } from '../clock.js';
import { generationView } from '../generations/view.js';
import { events as eventLog, generations, type EventTable, type Store } from '../store/index.js';
import { eventPayload } from '../webhooks/payload.js';
import type { BlobUrls } from '../storage/index.js';

/** What a stream shows of one event of the log. */
type Logged = Pick<EventTable, 'type' | 'data' | 'created_at' | 'subject_id'> & { id: number };

const TERMINAL = new Set(['generation.completed', 'generation.failed']);
/** Events committed out of id order (Postgres sequences) are caught by re-reading this far back. */
const REORDER_WINDOW_MS = 5000;
const POLL_MS = 1000;
const HEARTBEAT_MS = 15_000;
const PAGE = 200;

export interface StreamOptions {
  clientId: string;
  /** One generation's stream, which ends at its terminal event; undefined = all of the client's events. */
  generationId?: string;
  /** Last-Event-ID: replay what came after it. */
  after?: number;
  baseUrl: string;
}

/** One open stream: where it is in the log, and what it sent lately (to skip repeats when re-reading). */
class Stream {
  cursor = 0;
  private readonly sent: Array<{ id: number; at: number }> = [];
  ended = false;

  constructor(
    readonly options: StreamOptions,
    private readonly write: (event: string, data: unknown, id?: number) => void,
    readonly end: () => void,
  ) {}

  progressed(data: unknown): void {
    this.write('generation.progress', data);
  }

  /** The lowest id to read after: the cursor, or further back within the reorder window. */
  floor(now: number): number {
    while (this.sent.length > 0 && now - this.sent[0].at > REORDER_WINDOW_MS) this.sent.shift();
    return this.sent.length > 0 ? Math.min(this.sent[0].id - 1, this.cursor) : this.cursor;
  }

  /** Sends the rows it hasn't sent, as `render` has them; ends a generation's stream at its terminal event. */
  offer(rows: Logged[], now: number, render: (event: Logged, baseUrl: string) => unknown): void {
    const { generationId, baseUrl } = this.options;
    for (const row of rows) {
      if (this.ended) return;
      if (generationId && row.subject_id !== generationId) continue;
      if (row.id <= this.cursor && (row.id <= this.floor(now) || this.sent.some((s) => s.id === row.id))) continue;
      this.write(row.type, render(row, baseUrl), row.id);
      this.sent.push({ id: row.id, at: now });
      this.cursor = Math.max(this.cursor, row.id);
      if (generationId && TERMINAL.has(row.type)) this.end();
    }
  }
}

/**
 * Server-Sent Events of the event log (extension). One subscription to the store's notifications
 * per process fans out to the open streams: when a client's generations change, the log is read
 * once for all of that client's streams, and each event is rendered once per base URL. A poll of
 * the log once a second (one query for the whole process) catches what no notification announces
 * (file events; processes sharing SQLite). Progress is sent as reported, without an id: it is not
 * replayed.
 */
export class LiveEvents {
  private readonly byClient = new Map<string, Set<Stream>>();
  private readonly reading = new Map<string, { again: boolean }>();
  private readonly offs: Array<() => void>;
  private readonly timer: NodeJS.Timeout;
  /** The newest event id the poll has seen. */
  private polled = -1;
  private polling = false;

  constructor(private readonly deps: { store: Store; clock: Clock; urls: BlobUrls; logger: Logger }) {
    const { notifications } = deps.store;
    this.offs = [
      notifications.subscribe('generation:changed', (change) => {
        if (change.progress !== undefined) this.progress(change.clientId, change.generationId);
        else if (this.byClient.has(change.clientId)) this.read(change.clientId);
      }),
      notifications.onGap(() => this.byClient.forEach((_, clientId) => this.read(clientId))),
    ];
    this.timer = setInterval(() => void this.poll(), POLL_MS);
    this.timer.unref();
  }

  get open(): number {
    let n = 0;
    for (const set of this.byClient.values()) n += set.size;
    return n;
  }

  /** Ends every stream (shutdown): clients reconnect with Last-Event-ID. */
  close(): void {
    clearInterval(this.timer);
    this.offs.forEach((off) => off());
    for (const set of this.byClient.values()) for (const stream of set) stream.end();
  }

  private async poll(): Promise<void> {
    if (this.polling || this.byClient.size === 0) return;
    this.polling = true;
    try {
      const latest = await eventLog.lastEventId(this.deps.store.db);
      if (this.polled >= 0 && latest > this.polled) {
        for (const clientId of await eventLog.clientsWithEventsAfter(this.deps.store.db, this.polled)) if (this.byClient.has(clientId)) this.read(clientId);
      }
      this.polled = latest;
    } catch (err) {
      this.deps.logger.warn({ err }, 'event poll failed');
    } finally {
      this.polling = false;
    }
  }

  /** Reads the log once for all of a client's streams; a change announced meanwhile reads again after. */
  private read(clientId: string): void {
    const running = this.reading.get(clientId);
    if (running) {
      running.again = true;
      return;
    }
    const state = { again: false };
    this.reading.set(clientId, state);
    const run = async () => {
      do {
        state.again = false;
        const streams = [...(this.byClient.get(clientId) ?? [])];
        if (streams.length === 0) break;
        const now = monotonicMs();
        let from = Math.min(...streams.map((s) => s.floor(now)));
        for (;;) {
          const rows = (await eventLog.listEvents(this.deps.store.db, { clientId, afterId: from, limit: PAGE })).map((r) => ({ ...r, id: Number(r.id) }));
          // Minting URLs may be async (presigned): every row is rendered first, once per base URL.
          const rendered = new Map<string, unknown>();
          const at = this.deps.clock.now();
          for (const baseUrl of new Set(streams.map((s) => s.options.baseUrl))) {
            const payloads = await Promise.all(rows.map((row) => eventPayload(row, this.deps.urls, baseUrl, at)));
            rows.forEach((row, i) => rendered.set(`${row.id} ${baseUrl}`, payloads[i]));
          }
          for (const stream of streams) stream.offer(rows, now, (row, baseUrl) => rendered.get(`${row.id} ${baseUrl}`));
          if (rows.length < PAGE) break;
          from = rows[rows.length - 1].id;
        }
      } while (state.again);
    };
    run()
      .catch((err) => this.deps.logger.warn({ err, clientId }, 'event stream read failed'))
      .finally(() => this.reading.delete(clientId));
  }

  private progress(clientId: string, generationId: string): void {
    const streams = [...(this.byClient.get(clientId) ?? [])].filter((s) => !s.options.generationId || s.options.generationId === generationId);
    if (streams.length === 0) return;
    generations
      .getGeneration(this.deps.store, generationId, clientId)
      .then((row) => {
        if (row?.state !== 'processing' || !row.progress) return;
        const data = { type: 'generation.progress', id: generationId, progress: JSON.parse(row.progress) };
        for (const stream of streams) stream.progressed(data);
      })
      .catch((err) => this.deps.logger.warn({ err }, 'progress read failed'));
  }

  /** Serves one stream on `res` until the client leaves, the generation ends, or the server closes. */
  async serve(res: ServerResponse, headers: Record<string, string>, options: StreamOptions): Promise<void> {
    const { store, clock, urls } = this.deps;
    res.writeHead(200, { ...headers, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write('retry: 2000\n\n');
    const write = (event: string, data: unknown, id?: number) => {
      if (!res.writableEnded) res.write(`${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    const set = this.byClient.get(options.clientId) ?? new Set<Stream>();
    const beat = setInterval(() => !res.writableEnded && res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    const stream = new Stream(
      options,
      write,
      () => {
        if (stream.ended) return;
        stream.ended = true;
        clearInterval(beat);
        set.delete(stream);
        if (set.size === 0 && this.byClient.get(options.clientId) === set) this.byClient.delete(options.clientId);
        if (!res.writableEnded) res.end();
      },
    );
    res.on('close', stream.end);
    stream.cursor = options.after ?? (await eventLog.lastEventId(store.db, options.clientId, options.generationId));

    // A generation's stream without Last-Event-ID starts with where it stands now.
    if (options.generationId && options.after === undefined) {
      const row = await generations.getGeneration(store, options.generationId, options.clientId);
      if (row) {
        const type = `generation.${row.state}`;
        write(type, { type, timestamp: new Date(clock.now()).toISOString(), data: await generationView(row, urls, options.baseUrl, clock.now(), {}) }, stream.cursor || undefined);
        if (row.state === 'completed' || row.state === 'failed') return stream.end();
      }
    }
    if (stream.ended) return;
    this.byClient.set(options.clientId, set.add(stream));
    this.read(options.clientId);
  }
}
