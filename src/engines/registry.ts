import type { Engine } from './engine.js';
import { previewEngine } from './preview/index.js';

export const ENGINES: Record<string, Engine> = { preview: previewEngine };

/** Which engine serves a model; configuration will extend this table. */
export function engineFor(model: string, routes: Record<string, string> = {}): Engine {
  return ENGINES[routes[model] ?? 'preview'];
}
