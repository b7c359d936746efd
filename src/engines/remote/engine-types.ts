import { lumaFactory } from '../luma/index.js';
import type { RemoteEngineFactory } from './remote-engine.js';

/** Every remote engine type, by the `type` of a routing-file entry. One line per type. */
export const REMOTE_ENGINE_TYPES: Record<string, RemoteEngineFactory<never>> = {
  luma: lumaFactory as RemoteEngineFactory<never>,
};
