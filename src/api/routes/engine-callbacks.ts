import type { FastifyInstance } from 'fastify';
import { apiError } from '../../contract/index.js';
import { checkCallbackSignature, TERMINAL_STATUSES } from '../../engines/remote/callbacks.js';
import { engineCallbacks } from '../../store/index.js';
import { refuseOtherMethods } from '../app.js';
import type { ApiDeps } from '../context.js';

/** Posts older than this are dropped as new ones arrive: their jobs ended or timed out long ago. */
const KEEP_MS = 7 * 24 * 3600_000;

/**
 * `POST /engine-callbacks/{engine}/{upstream id}?signature=…`: a backend's webhook about one of
 * its jobs (a Cog prediction). Outside the Luma API surface: the signature, minted into the URL
 * Atelier gave the backend, is the authorisation. The post is stored for the waiting worker.
 */
export function engineCallbackRoutes(app: FastifyInstance, deps: Pick<ApiDeps, 'secret' | 'store' | 'clock'>): void {
  app.post<{ Params: { engine: string; upstreamId: string }; Querystring: { signature?: string } }>('/engine-callbacks/:engine/:upstreamId', async (request) => {
    const { engine, upstreamId } = request.params;
    if (!checkCallbackSignature(deps.secret, engine, upstreamId, String(request.query.signature ?? ''))) throw apiError('CALLBACK_SIGNATURE_INVALID');
    const body = request.body;
    const status = body && typeof body === 'object' ? (body as { status?: unknown }).status : undefined;
    const now = deps.clock.now();
    await engineCallbacks.saveCallback(deps.store.db, engine, upstreamId, JSON.stringify(body ?? null), typeof status === 'string' && TERMINAL_STATUSES.has(status), now);
    await engineCallbacks.deleteCallbacksBefore(deps.store.db, now - KEEP_MS);
    return {};
  });
  refuseOtherMethods(app, '/engine-callbacks/:engine/:upstreamId', ['POST']);
}
