import { ApiError, apiError } from '../contract/index.js';

const LIMITS: Record<string, string> = {
  FST_PARTS_LIMIT: '12 parts',
  FST_FILES_LIMIT: "one part named 'file'",
  FST_FIELDS_LIMIT: '10 fields',
};

/** What went wrong, in words a client can act on; parser messages are not passed through. */
function reason(message: string): string {
  if (/boundary not found/i.test(message)) return 'the Content-Type names no boundary';
  if (/unexpected end|terminated early|premature/i.test(message)) return 'the body ends before its closing boundary';
  if (/header/i.test(message)) return 'a part has malformed headers';
  return 'it could not be parsed';
}

/**
 * The boundary between the multipart parser and the API: whatever the parser (busboy,
 * @fastify/multipart) throws is the body's fault and becomes a 4xx. Only a system error (the disk,
 * which carries `syscall`) stays a 500.
 */
export function multipartError(err: unknown): unknown {
  if (err instanceof ApiError) return err;
  const { code, syscall, message } = (err ?? {}) as { code?: string; syscall?: string; message?: string };
  if (syscall !== undefined) return err;
  if (code && LIMITS[code]) return apiError('MULTIPART_LIMIT', { limit: LIMITS[code] });
  return apiError('MULTIPART_INVALID', { reason: reason(String(message ?? '')) });
}
