import type { Generation } from './generation.js';

const recent: Array<{ id: string; label: string }> = [];

/** Generations this tab has seen, offered wherever an earlier generation can be referenced. */
export function rememberGeneration(g: Pick<Generation, 'id' | 'type' | 'created_at'>): void {
  if (recent.some((r) => r.id === g.id)) return;
  recent.unshift({ id: g.id, label: `${g.type} · ${g.created_at}` });
  recent.length = Math.min(recent.length, 50);
}

export const recentGenerationIds = () => recent;
