import type { AspectRatio } from '../../contract/index.js';
import { reencodeImage } from '../../media/image.js';
import { backendFailure } from '../backend/backend-failure.js';
import { backendOutput } from '../backend/backend-output.js';
import type { RetryPolicy } from '../backend/backend-http.js';
import type { Engine, ImageInput } from '../engine.js';
import { chooseAspectRatio } from '../preview/sizes.js';
import { OpenAiImagesClient, type ImageFile } from './client.js';
import { aspectRatioValue } from '../backend/aspect-ratio.js';
import { modelFamily, sizeFor, type ModelFamily } from './sizes.js';

export interface OpenAiImagesSettings {
  baseUrl: string;
  apiKey?: string;
  apiVersion?: string;
  /** The backend's model name (`gpt-image-1`, `dall-e-3`, a LocalAI model …). */
  model: string;
  /** Which sizes the model takes; inferred from the model name when absent. */
  family?: ModelFamily;
  /** `size` per aspect ratio, overriding the family's mapping. */
  sizes?: Partial<Record<AspectRatio, string>>;
  responseFormat?: 'b64_json' | 'url';
  /** Extra body fields, sent as they are. */
  extra?: Record<string, unknown>;
  timeoutMs?: number;
  maxBytes?: number;
  retry?: Partial<RetryPolicy>;
}

const DEFAULT_RETRY: RetryPolicy = { attempts: 4, backoffMs: 500, maxWaitMs: 60_000 };

const EXTENSIONS = { jpeg: 'jpg', png: 'png', webp: 'webp', gif: 'gif' } as const;

const asFile = (input: ImageInput, name: string): ImageFile => ({
  bytes: input.bytes,
  mediaType: `image/${input.format}`,
  filename: `${name}.${EXTENSIONS[input.format]}`,
});

/**
 * `image` and `image_edit` through an OpenAI-compatible images API. Text alone goes to
 * `/images/generations`; with a source or references it goes to `/images/edits`, the
 * source first. The output is re-encoded only when the request names a format the backend
 * didn't deliver.
 */
export function openAiImagesEngine(settings: OpenAiImagesSettings): Engine {
  const client = new OpenAiImagesClient({
    baseUrl: settings.baseUrl,
    apiKey: settings.apiKey,
    apiVersion: settings.apiVersion,
    timeoutMs: settings.timeoutMs ?? 120_000,
    maxBytes: settings.maxBytes ?? 64 * 1024 * 1024,
    retry: { ...DEFAULT_RETRY, ...settings.retry },
  });
  const family = settings.family ?? modelFamily(settings.model);

  return async (request, inputs, ctx) => {
    if (request.type !== 'image' && request.type !== 'image_edit') {
      return { ok: false, failureCode: 'invalid_request', failureReason: `The image server does not make ${request.type} generations` };
    }
    const images = inputs.filter((i): i is ImageInput => !('kind' in i));
    const source = images.find((i) => i.role === 'source');
    const refs = images.filter((i) => i.role === 'image_ref').sort((a, b) => a.index - b.index);
    let ratio: number;
    let named: AspectRatio | undefined;
    if (source) ratio = source.width / source.height;
    else {
      named = chooseAspectRatio(request.aspect_ratio, request.style, refs);
      ratio = aspectRatioValue(named);
    }
    const call = {
      model: settings.model,
      family,
      prompt: request.prompt,
      size: sizeFor(family, ratio, settings.sizes, named),
      responseFormat: settings.responseFormat ?? 'b64_json',
      outputFormat: request.output_format ?? undefined,
      extra: settings.extra,
    };
    try {
      ctx.progress(0.05);
      const files = [...(source ? [asFile(source, 'source')] : []), ...refs.map((r) => asFile(r, `reference-${r.index}`))];
      const bytes = files.length > 0 ? await client.edit(call, files, ctx.signal) : await client.generate(call, ctx.signal);
      ctx.progress(0.9);
      let output = await backendOutput(bytes, 'The image server', ctx);
      if (output.type !== 'image') return { ok: false, failureCode: 'generation_failed', failureReason: 'The image server returned a video, not an image' };
      const wanted = request.output_format;
      if (wanted && output.mediaType !== `image/${wanted}`) {
        output = { ...output, bytes: await reencodeImage(output.bytes, wanted), mediaType: `image/${wanted}`, extension: EXTENSIONS[wanted] };
      }
      return { ok: true, outputs: [output] };
    } catch (err) {
      return backendFailure(err, ctx.signal);
    }
  };
}
