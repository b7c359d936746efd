export { Routing, type ChainLink, type EngineStatus, type ModelListing } from './routing.js';
export { loadRoutingFile, RoutingError, ENTRY_DEFAULTS, type RoutingSpec } from './load-routing.js';
export { LOCAL_ENGINES, defaultLocalEngine } from './local-engines.js';
