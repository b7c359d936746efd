import type { Events } from '../events.js';
import { generations, type Store } from '../store/index.js';

/** Re-reads at least this often, for ends recorded by another process. */
const POLL_MS = 250;

/**
 * Extension (`Prefer: wait=N`): resolves with the generation once it is completed or failed, or as
 * it stands after `ms`. Wakes on this process's job events and polls for other processes'.
 */
export async function awaitEnd(deps: { store: Store; events: Events }, id: string, clientId: string, ms: number) {
  const deadline = performance.now() + ms;
  let wake: () => void = () => undefined;
  const onEnd = (e: { generationId: string }) => e.generationId === id && wake();
  const offs = [deps.events.on('job:completed', onEnd), deps.events.on('job:failed', onEnd), deps.events.on('generation:cancelled', onEnd)];
  try {
    for (;;) {
      const row = (await generations.getGeneration(deps.store, id, clientId))!;
      const left = deadline - performance.now();
      if (row.state === 'completed' || row.state === 'failed' || left <= 0) return row;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(POLL_MS, left));
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    offs.forEach((off) => off());
  }
}

/** `Prefer: wait=N` (RFC 7240), in seconds, capped at 60; undefined when not asked. */
export function preferredWait(header: string | string[] | undefined): number | undefined {
  const text = Array.isArray(header) ? header.join(',') : header;
  const match = text && /(?:^|[,;\s])wait\s*=\s*"?(\d{1,6})"?/i.exec(text);
  if (!match) return undefined;
  return Math.min(60, Number(match[1]));
}
