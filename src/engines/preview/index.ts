import type { Engine } from '../engine.js';
import { dominantColour, encodeImage, type RawImage } from '../../media/image.js';
import { renderCard } from './card.js';
import { renderEdit } from './edit.js';
import { mangaFinish } from './manga.js';
import { buildPalette } from './palette.js';
import { random, requestSeed } from './seed.js';
import { chooseAspectRatio, IMAGE_SIZES } from './sizes.js';

export { IMAGE_SIZES, chooseAspectRatio } from './sizes.js';

/**
 * The default engine: an honest, deterministic preview. It renders real files at the
 * exact size and format asked for; it is not a generative model and says so on the image.
 */
export const previewEngine: Engine = async (request, inputs, ctx) => {
  try {
    const seed = requestSeed(request, inputs);
    const rand = random(seed);
    const refs = inputs.filter((i) => i.role === 'image_ref');
    const source = inputs.find((i) => i.role === 'source');
    const palette = buildPalette(rand, await Promise.all(refs.slice(0, 4).map((r) => dominantColour(r.bytes))));
    ctx.progress(0.2);
    if (ctx.signal.aborted) return cancelled();

    const format = request.output_format ?? (source?.format === 'jpeg' ? 'jpeg' : 'png');
    let picture: RawImage;
    if (source) {
      picture = await renderEdit(request, source, refs, palette, rand);
    } else {
      const [width, height] = IMAGE_SIZES[chooseAspectRatio(request.aspect_ratio, request.style, refs)]!;
      picture = await renderCard(request, { width, height }, palette, refs, rand);
    }
    ctx.progress(0.8);
    if (ctx.signal.aborted) return cancelled();

    const bytes = await encodeImage(request.style === 'manga' ? await mangaFinish(picture) : picture, format);
    ctx.progress(1);
    return {
      ok: true,
      outputs: [{ type: 'image', bytes, mediaType: `image/${format}`, extension: format === 'jpeg' ? 'jpg' : 'png' }],
    };
  } catch (err) {
    return { ok: false, failureCode: 'generation_failed', failureReason: `Preview rendering failed: ${(err as Error).message}` };
  }
};

/** An aborted render (lease lost or shutdown) reports failure; the worker then gives the job back. */
function cancelled() {
  return { ok: false as const, failureCode: 'generation_failed' as const, failureReason: 'Generation was cancelled' };
}

