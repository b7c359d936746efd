import type { FailureCode } from '../../contract/index.js';
import type { RemoteContext } from '../remote/remote-engine.js';
import type { UpstreamRequest, UpstreamResponse } from '../remote/upstream-http.js';
import { BackendError } from './backend-error.js';

export interface CallOptions extends UpstreamRequest {
  /** Names the backend in failure reasons ("ComfyUI", "The image server" …). */
  label: string;
  /** Statuses the caller reads itself (Cog's 409 "at capacity", say) instead of failing on them. */
  accept?: number[];
  /** Reads the backend's error body: its text, and a failure code where it names one (moderation). */
  describe?: (body: unknown) => { text?: string; code?: FailureCode } | undefined;
}

/**
 * One call through the engine's upstream client: 2xx (and `accept`ed statuses) come back;
 * everything else is thrown as a BackendError with the spec's failure code. The client has
 * already waited out 429s and turned 5xx, timeouts and lost connections into failures.
 */
export async function callUpstream(ctx: Pick<RemoteContext, 'http' | 'signal'>, method: string, path: string, options: CallOptions): Promise<UpstreamResponse> {
  const { label, accept = [], describe, ...request } = options;
  const call = await ctx.http.call(method, path, request, ctx.signal);
  if (!call.ok) {
    const { failureCode, failureReason, retryable, detail } = call.failure;
    throw new BackendError(failureCode, failureReason.replace('The generation backend', label), retryable, detail);
  }
  const res = call.response;
  if ((res.status >= 200 && res.status < 300) || accept.includes(res.status)) return res;
  const said = describe?.(res.json());
  const detail = `${method} ${path}: HTTP ${res.status}: ${said?.text ?? res.text(300)}`;
  const words = said?.text ? `: ${said.text.slice(0, 300)}` : '';
  if (said?.code) throw new BackendError(said.code, `${label} refused the request${words}`, false, detail);
  if (res.status === 400 || res.status === 422) throw new BackendError('invalid_request', `${label} rejected the request${words}`, false, detail);
  if (res.status === 413) throw new BackendError('image_too_large', `${label} refused an input as too large`, false, detail);
  if (res.status === 401 || res.status === 403) throw new BackendError('generation_failed', `${label} refused Atelier's credentials`, true, detail);
  throw new BackendError('generation_failed', `${label} failed (HTTP ${res.status})`, true, detail);
}

/** The response's JSON body; a body that isn't JSON is a retryable failure. */
export function jsonOf<T>(res: UpstreamResponse, label: string): T {
  const value = res.json<T>();
  if (value === undefined) throw new BackendError('generation_failed', `${label} answered with malformed JSON`, true, res.text(300));
  return value;
}
