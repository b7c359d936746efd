import { FormData } from 'undici';
import type { FailureCode } from '../../contract/index.js';
import { BackendError } from '../backend/backend-error.js';
import { BackendHttp, type RetryPolicy } from '../backend/backend-http.js';
import type { ModelFamily } from './sizes.js';

export interface OpenAiImagesClientOptions {
  /** `https://api.openai.com/v1`, a LocalAI/vLLM `/v1`, or an Azure deployment URL. */
  baseUrl: string;
  apiKey?: string;
  /** Azure-style servers: sent as `?api-version=` on every call, with the key as `api-key`. */
  apiVersion?: string;
  timeoutMs: number;
  maxBytes: number;
  retry: RetryPolicy;
}

export interface ImageCall {
  model: string;
  family: ModelFamily;
  prompt: string;
  size: string;
  /** Asked of the families that take it; gpt-image always answers base64. */
  responseFormat: 'b64_json' | 'url';
  /** gpt-image's own `output_format`. */
  outputFormat?: 'png' | 'jpeg';
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
function describeError(body: unknown): { text?: string; code?: FailureCode } | undefined {
  const error = (body as { error?: { message?: unknown; code?: unknown } } | null)?.error;
  if (!error || typeof error !== 'object') return undefined;
  const text = typeof error.message === 'string' ? error.message : undefined;
  const moderated = error.code === 'content_policy_violation' || error.code === 'moderation_blocked';
  return { text, code: moderated ? 'content_moderated' : undefined };
}

/** The images endpoints of an OpenAI-compatible server. */
export class OpenAiImagesClient {
  readonly http: BackendHttp;

  constructor(private readonly options: OpenAiImagesClientOptions) {
    const headers: Record<string, string> = {};
    if (options.apiKey) {
      if (options.apiVersion) headers['api-key'] = options.apiKey;
      else headers.authorization = `Bearer ${options.apiKey}`;
    }
    this.http = new BackendHttp({
      label: 'The image server',
      baseUrl: options.baseUrl,
      headers,
      timeoutMs: options.timeoutMs,
      maxBytes: options.maxBytes,
      retry: options.retry,
      describeError,
    });
  }

  /** `POST /images/generations`: text to image. */
  async generate(call: ImageCall, signal: AbortSignal): Promise<Buffer> {
    const body = { ...call.extra, ...this.fields(call) };
    const response = await this.http.json<ImagesResponse>({ method: 'POST', path: 'images/generations', query: this.query(), json: body, idempotent: false }, signal);
    return this.firstImage(response, signal);
  }

  /** `POST /images/edits`: the images (source first, then references) steer the result. */
  async edit(call: ImageCall, images: ImageFile[], signal: AbortSignal): Promise<Buffer> {
    const form = new FormData();
    for (const [key, value] of Object.entries({ ...call.extra, ...this.fields(call) })) form.set(key, typeof value === 'string' ? value : JSON.stringify(value));
    // gpt-image takes several images as `image[]`; the older models and most servers one `image`.
    const many = call.family === 'gpt-image' && images.length > 1;
    const sent = call.family === 'gpt-image' ? images : images.slice(0, 1);
    for (const image of sent) form.append(many ? 'image[]' : 'image', new Blob([new Uint8Array(image.bytes)], { type: image.mediaType }), image.filename);
    const response = await this.http.json<ImagesResponse>({ method: 'POST', path: 'images/edits', query: this.query(), form, idempotent: false }, signal);
    return this.firstImage(response, signal);
  }

  private fields(call: ImageCall): Record<string, unknown> {
    const fields: Record<string, unknown> = { model: call.model, prompt: call.prompt, n: 1, size: call.size };
    if (call.family === 'gpt-image') {
      if (call.outputFormat) fields.output_format = call.outputFormat;
    } else fields.response_format = call.responseFormat;
    return fields;
  }

  private query(): Record<string, string> | undefined {
    return this.options.apiVersion ? { 'api-version': this.options.apiVersion } : undefined;
  }

  private async firstImage(response: ImagesResponse, signal: AbortSignal): Promise<Buffer> {
    const item = Array.isArray(response.data) ? response.data[0] : undefined;
    if (item && typeof item.b64_json === 'string' && item.b64_json.length > 0) {
      const bytes = Buffer.from(item.b64_json, 'base64');
      if (bytes.length === 0) throw new BackendError('output_not_found', 'The image server returned empty image data', true);
      return bytes;
    }
    if (item && typeof item.url === 'string' && item.url.length > 0) {
      let url: URL;
      try {
        url = new URL(item.url);
      } catch {
        throw new BackendError('output_not_found', 'The image server returned an output URL that is not a URL', true);
      }
      try {
        return (await this.http.send({ method: 'GET', path: url.href, idempotent: true }, signal)).body;
      } catch (err) {
        if (err instanceof BackendError) throw new BackendError('output_not_found', `The image server's output could not be downloaded: ${err.message}`, true, err.status);
        throw err;
      }
    }
    throw new BackendError('output_not_found', 'The image server answered without an image', true);
  }
}
