import { useEffect, useState } from 'preact/hooks';
import { call } from './api.js';
import { subscribe } from './live.js';
import type { Generation } from '../../src/contract/schemas.js';

export type { Generation };
export const isTerminal = (g: Pick<Generation, 'state'>) => g.state === 'completed' || g.state === 'failed';

/**
 * Follows one generation until it is completed or failed: the client's shared event stream
 * pushes each change and its progress; without it (--strict, a buffering proxy, a broken
 * stream) GET /v1/generations/{id} is polled.
 */
export function useGeneration(id: string | null, initial?: Generation) {
  const [generation, setGeneration] = useState<Generation | null>(initial ?? null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!id) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const controller = new AbortController();
    const path = `/v1/generations/${encodeURIComponent(id)}`;
    let last: Generation | null = initial ?? null;
    const show = (g: Generation) => {
      last = g;
      setGeneration(g);
      setError(null);
    };
    const poll = async (delay: number) => {
      try {
        const g = await call<Generation>(path, { signal: controller.signal });
        if (stopped) return;
        show(g);
        if (isTerminal(g)) return unsubscribe();
      } catch (err) {
        if (stopped) return;
        setError(err instanceof Error ? err.message : String(err));
      }
      if (delay > 0) timer = setTimeout(() => poll(Math.min(delay * 1.5, 3000)), delay);
    };
    const unsubscribe = subscribe({
      change: (change) => {
        if ('generation' in change) {
          // A stream event has no queue position: keep the one the last read saw.
          if (change.generation.id === id) show({ ...change.generation, queue: change.generation.queue ?? last?.queue });
        } else if (change.id === id && last && !isTerminal(last)) show({ ...last, state: 'processing', progress: change.progress });
        if (last && isTerminal(last)) unsubscribe();
      },
      down: () => void (!stopped && !(last && isTerminal(last)) && poll(500)),
    });
    // Where it stands now (the stream brings only what changes after it opened).
    void poll(0);
    return () => {
      stopped = true;
      controller.abort();
      clearTimeout(timer);
      unsubscribe();
    };
  }, [id]);
  return { generation, error };
}
