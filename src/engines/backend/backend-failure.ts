import type { EngineResult } from '../engine.js';
import { isBackendError } from './backend-error.js';

/**
 * A backend error as the engine's failed result, so the job fails with the spec's code.
 * An abort is rethrown (the worker gives the job back); anything else is a bug or an
 * outage the worker retries.
 */
export function backendFailure(err: unknown, signal: AbortSignal): EngineResult {
  if (signal.aborted || !isBackendError(err)) throw err;
  return { ok: false, failureCode: err.code, failureReason: err.message, retryable: err.retryable };
}
