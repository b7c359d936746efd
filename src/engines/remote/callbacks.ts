import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Posts a backend sends about its jobs (Cog's webhooks): where it sends them, and what the
 * engine waiting on a job reads back. The API role stores each post; the engine reads the
 * store through this port, so the post reaches whichever worker waits, in any process.
 */
export interface EngineCallbacks {
  /** The URL to give the backend for this upstream job, under `base` (default: the public URL); undefined with neither. */
  url(engine: string, upstreamId: string, base?: string): string | undefined;
  /** The latest post about the job; undefined before the first. */
  latest(engine: string, upstreamId: string): Promise<{ payload: unknown; terminal: boolean } | undefined>;
}

/** A post whose `status` is one of these ends the job: later posts don't replace it. */
export const TERMINAL_STATUSES = new Set(['succeeded', 'failed', 'canceled', 'cancelled', 'completed', 'error']);

export const callbackPath = (engine: string, upstreamId: string) => `/engine-callbacks/${encodeURIComponent(engine)}/${encodeURIComponent(upstreamId)}`;

export function callbackSignature(secret: Buffer, engine: string, upstreamId: string): string {
  return createHmac('sha256', secret).update(`engine-callback\n${engine}\n${upstreamId}`).digest('base64url');
}

export function checkCallbackSignature(secret: Buffer, engine: string, upstreamId: string, signature: string): boolean {
  const expected = Buffer.from(callbackSignature(secret, engine, upstreamId));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
