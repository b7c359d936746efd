import type { Logger } from 'pino';

/** Every event the server emits, declared once. */
export interface AtelierEvents {
  'job:queued': { generationId: string };
  'job:claimed': { generationId: string; attempt: number };
  'job:completed': { generationId: string; type: string; model: string; ms: number };
  'job:failed': { generationId: string; type: string; model: string; code: string; ms: number };
  'job:retried': { generationId: string; attempt: number; error: string };
  'engine:progress': { generationId: string; fraction: number; stage: string };
  /** A webhook delivery was made due (a redelivery): the deliverer wakes. */
  'webhook:due': Record<string, never>;
  /** A client cancelled it: whoever runs it stops. */
  'generation:cancelled': { generationId: string };
  /** One HTTP call of a remote engine to its backend. */
  'engine:call': { engine: string; status: number | 'error'; ms: number };
  /** One try of a remote engine ended: `code` null when it completed. */
  'engine:finished': { engine: string; code: string | null; ms: number };
  'engine:breaker': { engine: string; state: 'closed' | 'open' | 'half-open' };
  /** A chain moved on: `from` failed retryably (or its breaker is open), `to` is tried next. */
  'engine:fallback': { generationId: string; from: string; to: string; code: string };
  /** `subjectId` is a generation id, or a file id for stage `file`. */
  'moderation:decided': { subjectId: string; stage: 'prompt' | 'input' | 'output' | 'file'; flagged: boolean; ms: number };
  'clock:advanced': { now: number };
  'fault:injected': { fault: string; source: 'header' | 'key' | 'config' | 'chaos' };
}

type Listener<K extends keyof AtelierEvents> = (payload: AtelierEvents[K]) => void;

/** A typed emitter whose listeners can't break the emitter: their errors are logged. */
export class Events {
  private readonly listeners = new Map<keyof AtelierEvents, Set<Listener<never>>>();

  constructor(private readonly logger?: Logger) {}

  on<K extends keyof AtelierEvents>(name: K, listener: Listener<K>): () => void {
    const set = this.listeners.get(name) ?? new Set();
    set.add(listener as Listener<never>);
    this.listeners.set(name, set);
    return () => set.delete(listener as Listener<never>);
  }

  emit<K extends keyof AtelierEvents>(name: K, payload: AtelierEvents[K]): void {
    for (const listener of this.listeners.get(name) ?? []) {
      try {
        (listener as Listener<K>)(payload);
      } catch (err) {
        this.logger?.error({ err, event: name }, 'event listener failed');
      }
    }
  }
}
