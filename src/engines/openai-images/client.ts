import { FormData } from 'undici';
import type { FailureCode } from '../../contract/index.js';
import { BackendError } from '../backend/backend-error.js';
import { callUpstream, jsonOf } from '../backend/upstream-call.js';
import type { RemoteContext, RemoteOutput } from '../remote/remote-engine.js';
import type { ModelFamily } from './sizes.js';

export const LABEL = 'The image server';

export interface ImageCall {
  model: string;
  family: ModelFamily;
  prompt: string;
  size: string;
  /** Asked of the families that take it; gpt-image always answers base64. */
  responseFormat: 'b64_json' | 'url';
  /** gpt-image's own `output_format`. */
  outputFormat?: 'png' | 'jpeg';
  /** Azure-style servers: `?api-version=` on every call. */
  apiVersion?: string;
  /** Merged into the body as is: `quality`, `style`, a server's own knobs. */
  extra?: Record<string, unknown>;
}

export interface ImageFile {
  bytes: Buffer;
  mediaType: string;
  filename: string;
}

interface ImagesResponse {
  data?: { b64_json?: string | null; url?: string | null }[];
}

/** OpenAI's error body: `{"error": {"message", "type", "code"}}`; moderation has codes of its own. */
function describe(body: unknown): { text?: string; code?: FailureCode } | undefined {
  const error = (body as { error?: { message?: unknown; code?: unknown } } | null)?.error;
  if (!error || typeof error !== 'object') return undefined;
  const text = typeof error.message === 'string' ? error.message : undefined;
  const moderated = error.code === 'content_policy_violation' || error.code === 'moderation_blocked';
  return { text, code: moderated ? 'content_moderated' : undefined };
}

const fields = (call: ImageCall): Record<string, unknown> => {
  const body: Record<string, unknown> = { ...call.extra, model: call.model, prompt: call.prompt, n: 1, size: call.size };
  if (call.family === 'gpt-image') {
    if (call.outputFormat) body.output_format = call.outputFormat;
  } else body.response_format = call.responseFormat;
  return body;
};

const query = (call: ImageCall) => (call.apiVersion ? { 'api-version': call.apiVersion } : undefined);

/** `POST /images/generations`: text to image. */
export async function generateImage(ctx: RemoteContext, call: ImageCall, idempotencyKey: string): Promise<RemoteOutput> {
  const res = await callUpstream(ctx, 'POST', 'images/generations', { label: LABEL, json: fields(call), query: query(call), idempotencyKey, describe });
  return firstImage(jsonOf<ImagesResponse>(res, LABEL));
}

/** `POST /images/edits`: the images (source first, then references) steer the result; a mask marks where to repaint. */
export async function editImage(ctx: RemoteContext, call: ImageCall, images: ImageFile[], idempotencyKey: string, mask?: ImageFile): Promise<RemoteOutput> {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields(call))) form.set(key, typeof value === 'string' ? value : JSON.stringify(value));
  // gpt-image takes several images as `image[]`; the older models and most servers one `image`.
  const sent = call.family === 'gpt-image' ? images : images.slice(0, 1);
  const field = sent.length > 1 ? 'image[]' : 'image';
  for (const image of sent) form.append(field, new Blob([new Uint8Array(image.bytes)], { type: image.mediaType }), image.filename);
  if (mask) form.append('mask', new Blob([new Uint8Array(mask.bytes)], { type: mask.mediaType }), mask.filename);
  const res = await callUpstream(ctx, 'POST', 'images/edits', { label: LABEL, body: form as never, query: query(call), idempotencyKey, describe });
  return firstImage(jsonOf<ImagesResponse>(res, LABEL));
}

function firstImage(response: ImagesResponse): RemoteOutput {
  const item = Array.isArray(response.data) ? response.data[0] : undefined;
  if (item && typeof item.b64_json === 'string' && item.b64_json.length > 0) {
    return { type: 'image', bytes: Buffer.from(item.b64_json, 'base64') };
  }
  if (item && typeof item.url === 'string' && /^https?:\/\//.test(item.url)) return { type: 'image', url: item.url };
  throw new BackendError('output_not_found', 'Output artifacts not found', true, `${LABEL} answered without an image: ${JSON.stringify(response).slice(0, 200)}`);
}
