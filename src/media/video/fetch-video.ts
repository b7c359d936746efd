import { apiError, ApiError } from '../../contract/index.js';
import { decodeBase64, type IngestLimits } from '../ingest.js';

type Limits = IngestLimits & { maxVideoBytes: number };

/** Inline video: the image decoder's strict base64, with the video size cap and its message. */
export function decodeVideoBase64(data: string, path: string, limits: Limits): Buffer {
  try {
    return decodeBase64(data, path, { ...limits, maxImageBytes: limits.maxVideoBytes });
  } catch (err) {
    if (err instanceof ApiError && err.code === 'REF_IMAGE_TOO_LARGE') throw apiError('REF_VIDEO_TOO_LARGE', { path });
    throw err;
  }
}

/**
 * The one place a video URL is fetched: a plain fetch with a total timeout, a `video/*`
 * content type and a streamed size cap. The SSRF-safe fetcher replaces its body.
 */
export async function fetchVideo(url: string, path: string, limits: Limits): Promise<Buffer> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw apiError('REF_URL_INVALID', { path });
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw apiError('REF_URL_INVALID', { path });
  let response: Response;
  try {
    response = await fetch(parsed, { signal: AbortSignal.timeout(limits.fetchTimeoutMs), redirect: 'follow', headers: { accept: 'video/*' } });
  } catch {
    throw apiError('REF_FETCH_FAILED', { path });
  }
  const refuse = async (error: ApiError) => {
    await response.body?.cancel().catch(() => undefined);
    return error;
  };
  if (!response.ok) throw await refuse(apiError('REF_FETCH_HTTP', { path, status: response.status }));
  if (!(response.headers.get('content-type') ?? '').toLowerCase().startsWith('video/')) throw await refuse(apiError('REF_NOT_VIDEO', { path }));
  if (Number(response.headers.get('content-length') ?? NaN) > limits.maxVideoBytes) throw await refuse(apiError('REF_VIDEO_TOO_LARGE', { path }));

  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of response.body ?? []) {
      size += chunk.byteLength;
      if (size > limits.maxVideoBytes) throw await refuse(apiError('REF_VIDEO_TOO_LARGE', { path }));
      chunks.push(Buffer.from(chunk));
    }
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw apiError('REF_FETCH_FAILED', { path });
  }
  return Buffer.concat(chunks);
}
