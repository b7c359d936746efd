import { currentToken } from './api.js';
import type { Generation } from './generation.js';
import { readEvents, type ServerEvent } from './sse.js';

/** What a listener hears: a generation as it now stands, or a running one's progress. */
export type LiveChange = { generation: Generation } | { id: string; progress: NonNullable<Generation['progress']> };

interface Listener {
  change(change: LiveChange): void;
  /** The stream is gone (absent under --strict, or broken off): poll instead. */
  down(): void;
}

const listeners = new Set<Listener>();
let open: AbortController | null = null;

function dispatch({ event, data }: ServerEvent): void {
  const payload = data as { data?: Generation; id?: string; progress?: Generation['progress'] };
  let change: LiveChange | null = null;
  if (event === 'generation.progress' && payload.id && payload.progress) change = { id: payload.id, progress: payload.progress };
  else if (event.startsWith('generation.') && payload.data) change = { generation: payload.data };
  if (change) for (const l of listeners) l.change(change);
}

async function connect(): Promise<void> {
  const controller = new AbortController();
  open = controller;
  try {
    await readEvents('/v1/events', currentToken(), dispatch, controller.signal);
  } catch {
    /* absent or refused: the listeners poll */
  }
  if (open !== controller) return;
  open = null;
  for (const l of [...listeners]) l.down();
}

/**
 * One stream of the client's events (GET /v1/events, an extension) shared by every part of the
 * page: a browser allows few connections per server, so each generation can't hold its own.
 */
export function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  if (!open) void connect();
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && open) {
      open.abort();
      open = null;
    }
  };
}
