export type { Engine, EngineContext, EngineOutput, EngineResult, ImageInput } from './engine.js';
export { engineFor } from './registry.js';
