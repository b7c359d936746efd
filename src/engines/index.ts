export type { Engine, EngineContext, EngineInput, EngineOutput, EngineResult, ImageInput, OutputFile, VideoInput } from './engine.js';
export { isVideoInput } from './engine.js';
export { Routing, loadRoutingFile, RoutingError, LOCAL_ENGINES, type ChainLink, type EngineStatus, type ModelListing } from './routing/index.js';
