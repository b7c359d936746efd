import type { LayeringResolution } from '../../contract/index.js';
import { encodePng, decodeRgb } from '../../media/raster.js';
import { loadSegmenter } from '../../media/segment.js';
import { DEFAULT_LAYERING_MODEL } from '../../media/segment-model.js';
import { isVideoInput, type Engine, type EngineResult, type ImageInput } from '../engine.js';
import { decompose } from './decompose.js';
import { describeLayers } from './describe.js';

/** Long side of every layer per `layering.resolution`. */
export const LAYER_SIDES: Record<LayeringResolution, number> = { '1k': 1024, '2k': 2048 };

/** Layer size: the source's shape with its long side at the resolution's. */
export function layerSize(width: number, height: number, resolution: LayeringResolution): { width: number; height: number } {
  const side = LAYER_SIDES[resolution];
  const scale = side / Math.max(width, height);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

const failed = (failureReason: string): EngineResult => ({ ok: false, failureCode: 'generation_failed', failureReason });

/**
 * `type: "layering"`: a real decomposition of the source into a subject layer with the
 * segmentation model's alpha and an opaque background with the subject's area filled.
 * Front to back, both PNG at the `layering.resolution` size, and they composite back
 * to the source. The prompt is recorded but does not steer the split.
 */
export const layeringEngine: Engine = async (request, inputs, ctx) => {
  const source = inputs.find((input): input is ImageInput => input.role === 'source' && !isVideoInput(input));
  if (!source) return { ok: false, failureCode: 'invalid_request', failureReason: 'layering needs a source image' };
  try {
    const segmenter = await loadSegmenter(ctx.settings?.layeringModel ?? DEFAULT_LAYERING_MODEL);
    if (ctx.signal.aborted) return failed('Generation was cancelled');
    ctx.progress(0.1);
    const { width, height } = layerSize(source.width, source.height, request.layering?.resolution ?? '1k');
    const [pixels, mask] = await Promise.all([decodeRgb(source.bytes, width, height), segmenter.mask(source.bytes, width, height)]);
    if (ctx.signal.aborted) return failed('Generation was cancelled');
    ctx.progress(0.7);
    const parts = await decompose(pixels, mask, width, height);
    const [subject, background] = describeLayers(parts);
    const files = await Promise.all([encodePng(parts.foreground, width, height, 4), encodePng(parts.background, width, height, 3)]);
    ctx.progress(1);
    return {
      ok: true,
      outputs: [
        { type: 'image', bytes: files[0], mediaType: 'image/png', extension: 'png', layer: subject },
        { type: 'image', bytes: files[1], mediaType: 'image/png', extension: 'png', layer: background },
      ],
    };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return failed(`Layering failed: ${message.slice(0, 200)}`);
  }
};
