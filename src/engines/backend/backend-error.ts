import type { FailureCode } from '../../contract/index.js';

/**
 * A backend call that went wrong, already mapped to the spec's failure code.
 * `retryable` says whether another engine (or a later attempt) may safely try the same
 * request: the backend surely did no paid work, or the work is idempotent.
 */
export class BackendError extends Error {
  constructor(
    readonly code: FailureCode,
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'BackendError';
  }
}

export const isBackendError = (err: unknown): err is BackendError => err instanceof BackendError;
