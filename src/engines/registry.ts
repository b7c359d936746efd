import type { Engine } from './engine.js';
import { layeringEngine } from './layering/index.js';
import { previewEngine } from './preview/index.js';

export const ENGINES: Record<string, Engine> = { preview: previewEngine, layering: layeringEngine };

/** Types that have an engine of their own, whatever engine serves their model. */
const TYPE_ENGINES: Partial<Record<string, string>> = { layering: 'layering' };

/** Which engine serves a request; configuration will extend the model table. */
export function engineFor(model: string, type?: string, routes: Record<string, string> = {}): Engine {
  return ENGINES[(type && TYPE_ENGINES[type]) ?? routes[model] ?? 'preview'];
}
