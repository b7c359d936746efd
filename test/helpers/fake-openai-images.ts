import http from 'node:http';
import sharp from 'sharp';
import { listenLoopback } from './loopback.js';

/** One call the fake took, parsed: JSON fields or multipart fields plus the files' bytes. */
export interface ImagesCall {
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  fields: Record<string, unknown>;
  files: { field: string; bytes: Buffer; type: string; name: string }[];
}

/** What the fake does with a call; `ok` renders a real PNG (or JPEG/WebP) at the asked size. */
export type ImagesBehaviour =
  | { kind: 'ok' }
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: unknown }
  | { kind: 'slow'; ms: number }
  | { kind: 'malformed' }
  | { kind: 'truncated-b64' }
  | { kind: 'not-an-image' }
  | { kind: 'no-data' }
  | { kind: 'url-truncated' };

export interface FakeOpenAiImages {
  url: string;
  calls: ImagesCall[];
  /** Decides each call by index; unset → `ok`. */
  plan: (call: ImagesCall, index: number) => ImagesBehaviour;
  close(): Promise<void>;
}

/** Sizes OpenAI takes per model family (what its API answers 400 to otherwise). */
const FIXED: Record<string, string[]> = {
  'gpt-image': ['1024x1024', '1536x1024', '1024x1536', 'auto'],
  'dall-e-3': ['1024x1024', '1792x1024', '1024x1792'],
  'dall-e-2': ['256x256', '512x512', '1024x1024'],
};
const familyOf = (model: string) => (model.startsWith('gpt-image') ? 'gpt-image' : model.startsWith('dall-e-3') ? 'dall-e-3' : model.startsWith('dall-e-2') ? 'dall-e-2' : null);

const error = (status: number, message: string, code: string | null = null, type = 'invalid_request_error') => ({
  kind: 'status' as const,
  status,
  body: { error: { message, type, param: null, code } },
});

/**
 * A loopback server speaking OpenAI's images API: `POST /v1/images/generations` (JSON) and
 * `/v1/images/edits` (multipart), with OpenAI's validation of model sizes, its error body,
 * `b64_json` or `url` answers, Bearer or Azure `api-key` auth, and scripted faults.
 */
export async function fakeOpenAiImages(options: { apiKey?: string; azureApiVersion?: string } = {}): Promise<FakeOpenAiImages> {
  const files = new Map<string, Buffer>();
  const fake: FakeOpenAiImages = { url: '', calls: [], plan: () => ({ kind: 'ok' }), close: async () => undefined };

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url!, 'http://fake');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);

    if (req.method === 'GET' && url.pathname.startsWith('/files/')) {
      const file = files.get(url.pathname.slice('/files/'.length));
      if (!file) return void res.writeHead(404).end();
      if (url.searchParams.has('truncate')) {
        // Declares the whole file, sends half, then drops the connection.
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': String(file.length) });
        res.write(file.subarray(0, file.length >> 1));
        return void setTimeout(() => res.socket?.destroy(), 20);
      }
      return void res.writeHead(200, { 'content-type': 'image/png' }).end(file);
    }

    const prefix = options.azureApiVersion ? '/openai/deployments/dep' : '/v1';
    const endpoint = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : '';
    if (req.method !== 'POST' || (endpoint !== '/images/generations' && endpoint !== '/images/edits')) return void res.writeHead(404).end();

    const call: ImagesCall = { path: endpoint, query: url.searchParams, headers: req.headers, fields: {}, files: [] };
    if (endpoint === '/images/generations') {
      try {
        call.fields = JSON.parse(body.toString('utf8'));
      } catch {
        return send(res, error(400, 'We could not parse the JSON body of your request.'));
      }
    } else {
      const form = await new Request('http://fake', { method: 'POST', headers: req.headers as Record<string, string>, body }).formData();
      for (const [field, value] of form.entries()) {
        if (typeof value === 'string') call.fields[field] = value;
        else call.files.push({ field, bytes: Buffer.from(await value.arrayBuffer()), type: value.type, name: value.name });
      }
    }
    fake.calls.push(call);

    if (options.apiKey) {
      const given = options.azureApiVersion ? req.headers['api-key'] : req.headers.authorization?.replace(/^Bearer /, '');
      if (given !== options.apiKey) return send(res, error(401, 'Incorrect API key provided.', 'invalid_api_key'));
      if (options.azureApiVersion && url.searchParams.get('api-version') !== options.azureApiVersion) return send(res, error(404, 'Resource not found', '404'));
    }

    const behaviour = fake.plan(call, fake.calls.length - 1);
    if (behaviour.kind === 'status') return send(res, behaviour);
    if (behaviour.kind === 'slow') await new Promise((r) => setTimeout(r, behaviour.ms));
    if (behaviour.kind === 'malformed') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"data": [{"b64_json": "iVBOR');
    if (behaviour.kind === 'no-data') return send(res, { kind: 'status', status: 200, body: { created: 1, data: [] } });

    const model = String(call.fields.model ?? '');
    const size = String(call.fields.size ?? '1024x1024');
    const family = familyOf(model);
    if (family && !FIXED[family].includes(size)) {
      return send(res, error(400, `Invalid value: '${size}'. Supported values are: ${FIXED[family].map((s) => `'${s}'`).join(', ')}.`, 'invalid_value'));
    }
    if (family === 'gpt-image' && call.fields.response_format !== undefined) return send(res, error(400, "Unknown parameter: 'response_format'.", 'unknown_parameter'));
    if (endpoint === '/images/edits' && call.files.length === 0) return send(res, error(400, "Missing required parameter: 'image'.", 'missing_required_parameter'));
    if (endpoint === '/images/edits' && family === 'dall-e-2') {
      const refused = await dallE2Refusal(call);
      if (refused) return send(res, refused);
    }

    const [width, height] = size === 'auto' ? [1024, 1024] : size.split('x').map(Number);
    const format = family === 'gpt-image' ? String(call.fields.output_format ?? 'png') : 'png';
    let image: Buffer = await sharp({ create: { width, height, channels: 3, background: { r: 30, g: 90, b: 160 } } })
      .toFormat(format as 'png' | 'jpeg' | 'webp')
      .toBuffer();
    if (behaviour.kind === 'truncated-b64') image = image.subarray(0, image.length >> 1);
    if (behaviour.kind === 'not-an-image') image = Buffer.from('<html>Gateway error</html>');

    const wantsUrl = family !== 'gpt-image' && call.fields.response_format === 'url';
    if (wantsUrl || behaviour.kind === 'url-truncated') {
      const id = `img-${fake.calls.length}`;
      files.set(id, image);
      const link = `${fake.url}/files/${id}${behaviour.kind === 'url-truncated' ? '?truncate=1' : ''}`;
      return send(res, { kind: 'status', status: 200, body: { created: 1, data: [{ url: link, revised_prompt: call.fields.prompt }] } });
    }
    return send(res, { kind: 'status', status: 200, body: { created: 1, data: [{ b64_json: image.toString('base64') }], ...(family === 'gpt-image' && { output_format: format }) } });
  });
  const listening = await listenLoopback(server);
  fake.url = listening.url;
  fake.close = listening.close;
  return fake;
}

/** dall-e-2 edits, as OpenAI documents them: one square PNG with an alpha channel under 4 MB, and a mask (optional) of the same kind and size. */
async function dallE2Refusal(call: ImagesCall): Promise<ReturnType<typeof error> | null> {
  const image = call.files.find((f) => f.field === 'image');
  const mask = call.files.find((f) => f.field === 'mask');
  if (!image || call.files.some((f) => f.field !== 'image' && f.field !== 'mask')) return error(400, "Unrecognized file field: dall-e-2 takes one 'image' and an optional 'mask'.", 'invalid_value');
  const check = async (file: ImagesCall['files'][number], what: string) => {
    if (file.bytes.length >= 4 * 1024 * 1024) return error(400, `Invalid ${what} - ${what} must be less than 4 MB.`, 'invalid_image');
    const meta = await sharp(file.bytes).metadata().catch(() => null);
    if (meta?.format !== 'png') return error(400, `Invalid ${what} - format must be PNG.`, 'invalid_image_format');
    if (!meta.hasAlpha && meta.channels !== 1) return error(400, `Invalid ${what} - format must be in ['RGBA', 'LA', 'L'], got RGB.`, 'invalid_image_format');
    if (meta.width !== meta.height) return error(400, `Invalid ${what} - ${what} must be square.`, 'invalid_image');
    return { width: meta.width };
  };
  const checked = await check(image, 'image');
  if ('kind' in checked) return checked;
  if (!mask) return null;
  const masked = await check(mask, 'mask');
  if ('kind' in masked) return masked;
  return masked.width === checked.width ? null : error(400, 'Invalid mask - mask and image must have the same dimensions.', 'invalid_image');
}

function send(res: http.ServerResponse, answer: { kind?: string; status: number; headers?: Record<string, string>; body?: unknown }): void {
  if (res.destroyed) return;
  res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers }).end(answer.body === undefined ? '' : JSON.stringify(answer.body));
}
