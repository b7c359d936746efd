import type { Static } from '@sinclair/typebox';
import { Type } from '@sinclair/typebox';
import type { AspectRatio } from '../../contract/index.js';
import { OPENAI_IMAGES_FIELDS } from '../../contract/engine-fields.js';
import { reencodeImage } from '../../media/image.js';
import { aspectRatioValue } from '../backend/aspect-ratio.js';
import { asFailure } from '../backend/backend-error.js';
import { isVideoInput, type ImageInput } from '../engine.js';
import { chooseAspectRatio } from '../preview/sizes.js';
import type { RemoteEngine, RemoteEngineFactory, RemoteOutput } from '../remote/remote-engine.js';
import { editImage, generateImage, LABEL, type ImageCall, type ImageFile } from './client.js';
import { dallE2Edit } from './dall-e-2.js';
import { modelFamily, sizeFor } from './sizes.js';

const Fields = Type.Object(OPENAI_IMAGES_FIELDS);
export type OpenAiImagesFields = Static<typeof Fields>;

const EXTENSIONS = { jpeg: 'jpg', png: 'png', webp: 'webp', gif: 'gif' } as const;

const asFile = (input: ImageInput, name: string): ImageFile => ({
  bytes: input.bytes,
  mediaType: `image/${input.format}`,
  filename: `${name}.${EXTENSIONS[input.format]}`,
});

/**
 * `image` and `image_edit` through an OpenAI-compatible images API, a synchronous backend:
 * `submit` answers with the file. Text alone goes to `/images/generations`; with a source or
 * references it goes to `/images/edits`, the source first.
 */
export const openAiImagesEngineType: RemoteEngineFactory<OpenAiImagesFields> = {
  type: 'openai-images',
  fields: OPENAI_IMAGES_FIELDS,
  serves: ['image', 'image_edit'],
  create(entry): RemoteEngine {
    const family = entry.family ?? modelFamily(entry.model);
    return {
      kind: 'remote',
      name: entry.name,
      type: 'openai-images',
      serves: entry.serves ?? openAiImagesEngineType.serves,
      async submit(job, ctx) {
        const { request } = job;
        const images = job.inputs.filter((i): i is ImageInput => !isVideoInput(i));
        const source = images.find((i) => i.role === 'source');
        const refs = images.filter((i) => i.role === 'image_ref').sort((a, b) => a.index - b.index);
        let ratio: number;
        let named: AspectRatio | undefined;
        if (source) ratio = source.width / source.height;
        else {
          named = chooseAspectRatio(request.aspect_ratio, request.style, refs);
          ratio = aspectRatioValue(named);
        }
        const call: ImageCall = {
          model: entry.model,
          family,
          prompt: request.prompt,
          size: sizeFor(family, ratio, entry.sizes, named),
          responseFormat: entry.response_format ?? 'b64_json',
          outputFormat: request.output_format ?? undefined,
          apiVersion: entry.api_version,
          // OpenAI's own models take the end user's id for abuse tracking; other servers may refuse unknown fields.
          extra: family !== 'free' && request.user_id ? { user: request.user_id, ...entry.extra_body } : entry.extra_body,
        };
        const files = [...(source ? [asFile(source, 'source')] : []), ...refs.map((r) => asFile(r, `reference-${r.index}`))];
        if (files.length > 0 && family === 'dall-e-3') {
          // dall-e-3 has no edits endpoint: another engine of the chain may take the images.
          return { kind: 'failed', failure: { failureCode: 'invalid_request', failureReason: 'This model takes no source or reference images', retryable: true } };
        }
        try {
          ctx.progress(0.05);
          let output: RemoteOutput;
          if (files.length === 0) output = await generateImage(ctx, call, job.idempotencyKey);
          else if (family === 'dall-e-2') {
            const edit = await dallE2Edit(source ?? refs[0], call.size);
            output = await editImage(ctx, { ...call, size: edit.size }, [edit.image], job.idempotencyKey, edit.mask);
          } else output = await editImage(ctx, call, files, job.idempotencyKey);
          return { kind: 'done', outputs: [await inFormat(output, request.output_format)] };
        } catch (err) {
          return asFailure(err, ctx.signal);
        }
      },
      async wait() {
        return { kind: 'failed', failure: { failureCode: 'generation_failed', failureReason: `${LABEL} has no job to wait on`, retryable: true } };
      },
    };
  },
};

/**
 * The file in the format the request named, when the server sent another (dall-e and most
 * servers only make PNG). A file that doesn't decode is passed on as is for the re-homing
 * check to refuse; a URL output is kept as the server made it.
 */
async function inFormat(output: RemoteOutput, format: 'png' | 'jpeg' | null): Promise<RemoteOutput> {
  if (!format || !output.bytes) return output;
  const isPng = output.bytes.subarray(1, 4).toString('latin1') === 'PNG';
  const isJpeg = output.bytes[0] === 0xff && output.bytes[1] === 0xd8;
  if ((format === 'png' && isPng) || (format === 'jpeg' && isJpeg)) return output;
  try {
    return { ...output, bytes: await reencodeImage(output.bytes, format), mediaType: `image/${format}` };
  } catch {
    return output;
  }
}
