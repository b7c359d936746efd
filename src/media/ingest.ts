import { apiError } from '../contract/index.js';
import { takeDecoded } from './predecoded.js';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Strict base64 (whitespace tolerated): the compact text and the size it decodes to, or null. */
export function base64Shape(data: string): { compact: string; size: number } | null {
  const compact = /\s/.test(data) ? data.replace(/\s+/g, '') : data;
  if (compact.length === 0 || compact.length % 4 !== 0 || !BASE64.test(compact)) return null;
  const padding = compact.endsWith('==') ? 2 : compact.endsWith('=') ? 1 : 0;
  return { compact, size: (compact.length / 4) * 3 - padding };
}

/**
 * Strict base64; the decoded size is checked against `limit` before decoding. Data of a large body
 * arrives decoded already (by the body parser's worker): its stand-in is looked up instead.
 */
export function decodeBase64(data: string, path: string, limit: { maxBytes: number; tooLarge: 'REF_IMAGE_TOO_LARGE' | 'REF_VIDEO_TOO_LARGE' }): Buffer {
  const decoded = takeDecoded(data);
  if (decoded) {
    if (decoded.kind === 'invalid') throw apiError('REF_INVALID_BASE64', { path });
    if (decoded.size > limit.maxBytes) throw apiError(limit.tooLarge, { path });
    if (decoded.kind === 'bytes') return decoded.bytes;
  }
  const shape = base64Shape(data);
  if (!shape) throw apiError('REF_INVALID_BASE64', { path });
  if (shape.size > limit.maxBytes) throw apiError(limit.tooLarge, { path });
  return Buffer.from(shape.compact, 'base64');
}
