import { apiError } from '../contract/index.js';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Strict base64 (whitespace tolerated); the decoded size is checked against `limit` before decoding. */
export function decodeBase64(data: string, path: string, limit: { maxBytes: number; tooLarge: 'REF_IMAGE_TOO_LARGE' | 'REF_VIDEO_TOO_LARGE' }): Buffer {
  const compact = /\s/.test(data) ? data.replace(/\s+/g, '') : data;
  if (compact.length === 0 || compact.length % 4 !== 0 || !BASE64.test(compact)) {
    throw apiError('REF_INVALID_BASE64', { path });
  }
  const padding = compact.endsWith('==') ? 2 : compact.endsWith('=') ? 1 : 0;
  if ((compact.length / 4) * 3 - padding > limit.maxBytes) throw apiError(limit.tooLarge, { path });
  return Buffer.from(compact, 'base64');
}
