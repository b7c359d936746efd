import type { FailureCode } from '../../contract/index.js';
import type { EngineFailure } from '../remote/remote-engine.js';

/**
 * A backend call that went wrong, already mapped to the spec's failure code. Thrown inside
 * an engine and turned into its `EngineFailure` at the edge (`asFailure`), so deep helpers
 * don't thread results through every return.
 */
export class BackendError extends Error {
  constructor(
    readonly code: FailureCode,
    /** Shown to the client. */
    message: string,
    /** Another try (later, or the next engine) is safe and may succeed. */
    readonly retryable: boolean,
    /** The backend's own words: logged, never shown. */
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'BackendError';
  }
}

/** A BackendError as the engine's failed result; an abort is rethrown, and so is a bug. */
export function asFailure(err: unknown, signal: AbortSignal): { kind: 'failed'; failure: EngineFailure } {
  if (signal.aborted || !(err instanceof BackendError)) throw err;
  return { kind: 'failed', failure: { failureCode: err.code, failureReason: err.message, retryable: err.retryable, detail: err.detail } };
}
