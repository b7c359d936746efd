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
