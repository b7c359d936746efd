import { apiError, type ApiError, type ErrorCode } from '../contract/index.js';
import type { HttpFaultStatus } from './fault.js';

/** For each status, the spec's own error (§8.3) that a real server answers with. */
const ERROR_FOR: Record<HttpFaultStatus, [ErrorCode, Record<string, string>?]> = {
  400: ['PROMPT_LENGTH'],
  401: ['AUTH_INVALID'],
  402: ['INSUFFICIENT_CREDITS'],
  403: ['CLIENT_SUSPENDED'],
  404: ['GENERATION_NOT_FOUND'],
  413: ['REF_IMAGE_TOO_LARGE', { path: 'source' }],
  422: ['REF_INVALID_BASE64', { path: 'source' }],
  429: ['RATE_LIMITED'],
  500: ['INTERNAL'],
  502: ['UPSTREAM_UNAVAILABLE'],
  503: ['URL_INGESTION_UNAVAILABLE'],
};

/**
 * The synchronous error for `http:<status>`. A 429 is the RPM refusal (spec §9): the window is
 * full and its oldest request is 59 s old, so `Retry-After: 1` and the reset one second away.
 */
export function httpFaultError(status: HttpFaultStatus, rpmLimit: number, now: number): ApiError {
  const [code, params] = ERROR_FOR[status];
  if (status !== 429) return apiError(code, params);
  return apiError(code, params, {
    'x-ratelimit-limit': String(rpmLimit),
    'x-ratelimit-remaining': '0',
    'x-ratelimit-reset': String(Math.ceil(now / 1000) + 1),
    'retry-after': '1',
  });
}
