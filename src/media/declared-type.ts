import { apiError } from '../contract/index.js';
import { declaredFormat, FORMAT_NAMES } from './media-type.js';
import { sniffFormat } from './sniff.js';

/**
 * A declared `media_type` must name the format the bytes are in. Bytes of no accepted format are
 * left to processing (`unsupported_format`), as the spec has them detected there.
 */
export function checkDeclaredType(bytes: Buffer, mediaType: string | null | undefined, path: string): void {
  if (!mediaType) return;
  const sniffed = sniffFormat(bytes);
  if (sniffed && declaredFormat(mediaType) !== sniffed) {
    throw apiError('REF_MEDIA_TYPE_MISMATCH', { path, media_type: mediaType, format: FORMAT_NAMES[sniffed] });
  }
}
