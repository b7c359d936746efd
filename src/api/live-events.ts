import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { monotonicMs, type Clock } from '../clock.js';
import { generationView } from '../generations/view.js';
import { events as eventLog, generations, type EventTable, type Store } from '../store/index.js';
import { eventPayload } from '../webhooks/payload.js';

/** What a stream shows of one event of the log. */
type Logged = Pick<EventTable, 'type' | 'data' | 'created_at' | 'subject_id'> & { id: number };

const TERMINAL = new Set(['generation.completed', 'generation.failed']);
/** Events committed out of id order (Postgres sequences) are caught by re-reading this far back. */
const REORDER_WINDOW_MS = 5000;
const POLL_MS = 1000;
const HEARTBEAT_MS = 15_000;
const PAGE = 100;

export interface StreamOptions {
  clientId: string;
  /** One generation's stream, which ends at its terminal event; undefined = all of the client's events. */
  generationId?: string;
  /** Last-Event-ID: replay what came after it. */
  after?: number;
  baseUrl: string;
}

interface Stream {
  options: StreamOptions;
  pull(): void;
  progress(generationId: string): void;
  end(): void;
}

/**
 * Server-Sent Events of the event log (extension): one subscription to the store's notifications
 * per process fans out to the open streams of each client. A stream reads the log after its cursor
 * whenever its client's generations change, and at least every second (file events and processes
 * whose notifications can't reach this one); progress is sent as it is reported, without an id,
 * since it is not replayed.
 */
export class LiveEvents {
  private readonly byClient = new Map<string, Set<Stream>>();
  private readonly offs: Array<() => void>;

  constructor(private readonly deps: { store: Store; clock: Clock; secret: Buffer; logger: Logger }) {
    const { notifications } = deps.store;
    this.offs = [
      notifications.subscribe('generation:changed', (change) => {
        for (const stream of this.byClient.get(change.clientId) ?? []) {
          if (change.progress !== undefined) stream.progress(change.generationId);
          else stream.pull();
        }
      }),
      notifications.onGap(() => this.each((stream) => stream.pull())),
    ];
  }

  get open(): number {
    let n = 0;
    for (const set of this.byClient.values()) n += set.size;
    return n;
  }

  private each(run: (stream: Stream) => void): void {
    for (const set of this.byClient.values()) for (const stream of set) run(stream);
  }

  /** Ends every stream (shutdown): clients reconnect with Last-Event-ID. */
  close(): void {
    this.offs.forEach((off) => off());
    this.each((stream) => stream.end());
  }

  /** Serves one stream on `res` until the client leaves, the generation ends, or the server closes. */
  async serve(res: ServerResponse, headers: Record<string, string>, options: StreamOptions): Promise<void> {
    const { store, clock, secret, logger } = this.deps;
    res.writeHead(200, { ...headers, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write(`retry: 2000\n\n`);
    const write = (event: string, data: unknown, id?: number) => {
      if (!res.writableEnded) res.write(`${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    const send = (event: Logged) => write(event.type, eventPayload(event, options.baseUrl, secret, clock.now()), Number(event.id));

    let cursor = options.after ?? (await eventLog.lastEventId(store.db, options.clientId, options.generationId));
    const sent: Array<{ id: number; at: number }> = [];
    let ended = false;
    let reading: Promise<void> | null = null;
    let again = false;

    const finish = () => {
      if (ended) return;
      ended = true;
      clearInterval(timer);
      clearInterval(beat);
      this.byClient.get(options.clientId)?.delete(stream);
      if (!res.writableEnded) res.end();
    };
    const read = async () => {
      const at = monotonicMs();
      while (sent.length > 0 && at - sent[0].at > REORDER_WINDOW_MS) sent.shift();
      const from = sent.length > 0 ? Math.min(sent[0].id - 1, cursor) : cursor;
      for (;;) {
        const rows = await eventLog.listEvents(store.db, { clientId: options.clientId, subjectId: options.generationId, afterId: from, limit: PAGE });
        for (const row of rows) {
          const id = Number(row.id);
          if (id <= cursor && sent.some((s) => s.id === id)) continue;
          send(row);
          sent.push({ id, at });
          cursor = Math.max(cursor, id);
          if (options.generationId && TERMINAL.has(row.type)) return finish();
        }
        if (rows.length < PAGE || ended) return;
      }
    };
    const pull = () => {
      if (ended) return;
      if (reading) {
        again = true;
        return;
      }
      reading = read()
        .catch((err) => logger.warn({ err }, 'event stream read failed'))
        .finally(() => {
          reading = null;
          if (again) {
            again = false;
            pull();
          }
        });
    };
    const stream: Stream = {
      options,
      pull,
      end: finish,
      progress: (generationId) => {
        if (options.generationId && options.generationId !== generationId) return;
        generations
          .getGeneration(store, generationId, options.clientId)
          .then((row) => {
            if (row?.state === 'processing' && row.progress) write('generation.progress', { type: 'generation.progress', id: generationId, progress: JSON.parse(row.progress) });
          })
          .catch((err) => logger.warn({ err }, 'progress read failed'));
      },
    };

    const timer = setInterval(pull, POLL_MS);
    const beat = setInterval(() => !res.writableEnded && res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    res.on('close', finish);
    let set = this.byClient.get(options.clientId);
    if (!set) this.byClient.set(options.clientId, (set = new Set()));
    set.add(stream);

    // A generation's stream without Last-Event-ID starts with where it stands now.
    if (options.generationId && options.after === undefined) {
      const row = await generations.getGeneration(store, options.generationId, options.clientId);
      if (row) {
        write(`generation.${row.state}`, { type: `generation.${row.state}`, timestamp: new Date(clock.now()).toISOString(), data: generationView(row, options.baseUrl, secret, clock.now(), {}) }, cursor || undefined);
        if (row.state === 'completed' || row.state === 'failed') return finish();
      }
    }
    pull();
  }
}
