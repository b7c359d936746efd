import { useEffect, useState } from 'preact/hooks';
import { call } from './api.js';
import type { Generation } from '../../src/contract/schemas.js';

export type { Generation };
export const isTerminal = (g: Pick<Generation, 'state'>) => g.state === 'completed' || g.state === 'failed';

/** Follows one generation until it is completed or failed, polling GET /v1/generations/{id}. */
export function useGeneration(id: string | null, initial?: Generation) {
  const [generation, setGeneration] = useState<Generation | null>(initial ?? null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!id) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const controller = new AbortController();
    const poll = async (delay: number) => {
      try {
        const g = await call<Generation>(`/v1/generations/${encodeURIComponent(id)}`, { signal: controller.signal });
        if (stopped) return;
        setGeneration(g);
        setError(null);
        if (isTerminal(g)) return;
      } catch (err) {
        if (stopped) return;
        setError(err instanceof Error ? err.message : String(err));
      }
      timer = setTimeout(() => poll(Math.min(delay * 1.5, 3000)), delay);
    };
    poll(500);
    return () => {
      stopped = true;
      controller.abort();
      clearTimeout(timer);
    };
  }, [id]);
  return { generation, error };
}
