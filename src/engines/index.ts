export type { Engine, EngineContext, EngineInput, EngineOutput, EngineResult, ImageInput, VideoInput } from './engine.js';
export { isVideoInput } from './engine.js';
export { engineFor } from './registry.js';
