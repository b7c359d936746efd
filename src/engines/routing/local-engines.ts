import type { Engine } from '../engine.js';
import { layeringEngine } from '../layering/index.js';
import { previewEngine } from '../preview/index.js';

/** The engines that run in this process, by engine type. */
export const LOCAL_ENGINES: Record<string, Engine> = { preview: previewEngine, layering: layeringEngine };

/** What serves a model no routing file routes (emulator mode): layering for layering, preview for the rest. */
export const defaultLocalEngine = (type: string): string => (type === 'layering' ? 'layering' : 'preview');
