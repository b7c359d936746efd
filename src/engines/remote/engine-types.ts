import { lumaFactory } from '../luma/index.js';
import type { RemoteEngineFactory } from './remote-engine.js';
import { cogEngineType } from '../cog/index.js';
import { comfyUiEngineType } from '../comfyui/index.js';
import { openAiImagesEngineType } from '../openai-images/index.js';

/** Every remote engine type, by the `type` of a routing-file entry. One line per type. */
export const REMOTE_ENGINE_TYPES: Record<string, RemoteEngineFactory<never>> = {
  luma: lumaFactory as RemoteEngineFactory<never>,
  'openai-images': openAiImagesEngineType as RemoteEngineFactory<never>,
  comfyui: comfyUiEngineType as RemoteEngineFactory<never>,
  cog: cogEngineType as RemoteEngineFactory<never>,
};
