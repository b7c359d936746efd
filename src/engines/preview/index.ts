import { dominantColours, encodeImage, type RawImage, type Rgb } from '../../media/image.js';
import { isVideoInput, type Engine, type EngineContext, type EngineResult, type ImageInput } from '../engine.js';
import type { GenerationRequest } from '../../contract/index.js';
import { renderCard } from './card.js';
import { renderEdit } from './edit.js';
import { mangaFinish } from './manga.js';
import { buildPalette } from './palette.js';
import { random, requestSeed } from './seed.js';
import { chooseAspectRatio, IMAGE_SIZES } from './sizes.js';
import { themeFor } from './theme.js';
import { renderVideo } from './video/index.js';

export { IMAGE_SIZES, chooseAspectRatio, type ImageAspectRatio } from './sizes.js';

/**
 * The default engine: an honest, deterministic preview. It renders a real file at
 * the exact size and format asked for, and says on the image that it is not a
 * generative model. The same request and input bytes always give the same bytes.
 */
export const previewEngine: Engine = async (request, inputs, ctx) => {
  try {
    if (request.video) return await renderVideo(request, inputs, ctx);
    return await render(request, inputs.filter((i): i is ImageInput => !isVideoInput(i)), ctx);
  } catch (err) {
    if (ctx.signal.aborted) return cancelled();
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, failureCode: 'generation_failed', failureReason: `Preview rendering failed: ${message.slice(0, 200)}` };
  }
};

/**
 * Cancellation is a result, not a throw: the signal is checked between steps and an
 * aborted render returns generation_failed; the worker decides what that means.
 */
const cancelled = (): EngineResult => ({ ok: false, failureCode: 'generation_failed', failureReason: 'Generation was cancelled' });

async function render(request: GenerationRequest, inputs: ImageInput[], ctx: EngineContext): Promise<EngineResult> {
  if (ctx.signal.aborted) return cancelled();
  const rand = random(requestSeed(request, inputs));
  const source = inputs.find((i) => i.role === 'source');
  const refs = inputs.filter((i) => i.role === 'image_ref').sort((a, b) => a.index - b.index);
  const palette = buildPalette(rand, await refColours(refs));
  const look = { palette, theme: themeFor(palette, request.style === 'manga'), rand };
  ctx.progress(0.1);

  let picture: RawImage;
  if (request.type === 'image_edit') {
    if (!source) return { ok: false, failureCode: 'invalid_request', failureReason: 'image_edit needs a source image' };
    picture = await renderEdit(request, source, look, refs);
  } else {
    const ratio = chooseAspectRatio(request.aspect_ratio, request.style, refs);
    const [width, height] = IMAGE_SIZES[ratio];
    picture = await renderCard(request, { width, height, ratio }, look, refs);
  }
  if (ctx.signal.aborted) return cancelled();
  ctx.progress(0.6);

  if (request.style === 'manga') {
    picture = await mangaFinish(picture);
    if (ctx.signal.aborted) return cancelled();
    ctx.progress(0.8);
  }

  const format = request.output_format ?? (source?.format === 'jpeg' ? 'jpeg' : 'png');
  const bytes = await encodeImage(picture, format);
  ctx.progress(1);
  return { ok: true, outputs: [{ type: 'image', bytes, mediaType: `image/${format}`, extension: format === 'jpeg' ? 'jpg' : 'png' }] };
}

/** The refs' real colours for the palette: each ref's dominant colour, then the first ref's runners-up. */
async function refColours(refs: ImageInput[]): Promise<Rgb[]> {
  const perRef = await Promise.all(refs.slice(0, 3).map((ref, i) => dominantColours(ref.bytes, i === 0 ? 3 : 1)));
  return [...perRef.map((c) => c[0]), ...(perRef[0]?.slice(1) ?? [])].filter((c): c is Rgb => c !== undefined);
}
