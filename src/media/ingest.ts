import { apiError } from '../contract/index.js';

export interface IngestLimits {
  maxImageBytes: number;
  fetchTimeoutMs: number;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Strict base64 (whitespace tolerated); the decoded size is checked before decoding. */
export function decodeBase64(data: string, path: string, limits: IngestLimits): Buffer {
  const compact = /\s/.test(data) ? data.replace(/\s+/g, '') : data;
  if (compact.length === 0 || compact.length % 4 !== 0 || !BASE64.test(compact)) {
    throw apiError('REF_INVALID_BASE64', { path });
  }
  const padding = compact.endsWith('==') ? 2 : compact.endsWith('=') ? 1 : 0;
  if ((compact.length / 4) * 3 - padding > limits.maxImageBytes) throw apiError('REF_IMAGE_TOO_LARGE', { path });
  return Buffer.from(compact, 'base64');
}

/**
 * A plain fetch with a total timeout and a streamed size cap.
 * The SSRF-hardened fetcher (private ranges, DNS pinning) is a separate piece of work.
 */
export async function fetchImage(url: string, path: string, limits: IngestLimits): Promise<Buffer> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw apiError('REF_URL_INVALID', { path });
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw apiError('REF_URL_INVALID', { path });

  const signal = AbortSignal.timeout(limits.fetchTimeoutMs);
  let response: Response;
  try {
    response = await fetch(parsed, { signal, redirect: 'follow', headers: { accept: 'image/*' } });
  } catch {
    throw apiError('REF_FETCH_FAILED', { path });
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw apiError('REF_FETCH_HTTP', { path, status: response.status });
  }
  const contentType = (response.headers.get('content-type') ?? '').toLowerCase();
  if (!contentType.startsWith('image/')) {
    await response.body?.cancel().catch(() => undefined);
    throw apiError('REF_NOT_IMAGE', { path });
  }
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > limits.maxImageBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw apiError('REF_IMAGE_TOO_LARGE', { path });
  }

  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of response.body ?? []) {
      size += chunk.byteLength;
      if (size > limits.maxImageBytes) {
        await response.body?.cancel().catch(() => undefined);
        throw apiError('REF_IMAGE_TOO_LARGE', { path });
      }
      chunks.push(Buffer.from(chunk));
    }
  } catch (err) {
    if (err instanceof Error && err.name === 'ApiError') throw err;
    throw apiError('REF_FETCH_FAILED', { path });
  }
  return Buffer.concat(chunks);
}
