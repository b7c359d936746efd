import { monotonicMs } from '../clock.js';
import { generations, type Store } from '../store/index.js';

/** Re-reads at least this often, for ends whose notification can't reach here (api and worker processes sharing SQLite). */
const POLL_MS = 1000;

/**
 * Extension (`Prefer: wait=N`): resolves with the generation once it is completed or failed, or as
 * it stands after `ms`. Wakes on the store's notifications of its state changes, and polls.
 */
export async function awaitEnd(deps: { store: Store }, id: string, clientId: string, ms: number) {
  const deadline = monotonicMs() + ms;
  let wake: () => void = () => undefined;
  const offs = [
    deps.store.notifications.subscribe('generation:changed', (e) => e.generationId === id && e.progress === undefined && wake()),
    deps.store.notifications.onGap(() => wake()),
  ];
  try {
    for (;;) {
      const row = (await generations.getGeneration(deps.store, id, clientId))!;
      const left = deadline - monotonicMs();
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
