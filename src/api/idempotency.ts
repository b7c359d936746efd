import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Transaction } from 'kysely';
import type { Clock } from '../clock.js';
import { apiError } from '../contract/index.js';
import { idempotency, type Database, type Store } from '../store/index.js';

/** How long a key is remembered (Stripe's and the 24 h). */
export const KEY_TTL_MS = 24 * 60 * 60 * 1000;
/** How long an in-flight claim holds before a crashed holder's key may be taken over. */
const LOCK_MS = 2 * 60 * 1000;
export const REPLAY_HEADER = 'idempotent-replayed';
const VALID_KEY = /^[\x21-\x7e]{1,255}$/;
/** Statuses a retry may well change: the key is released so the retry runs again. */
const RETRYABLE = (status: number) => status === 408 || status === 409 || status === 429 || status >= 500;

export interface Claim {
  id: idempotency.KeyId;
  /** Set once the response is stored. */
  saved: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    idempotencyClaim?: Claim;
  }
}

/** sha256 of a JSON value with keys sorted at every depth, so key order never makes a body "different". */
export function fingerprintJson(value: unknown): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(canonical) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])])) : v;
  return createHash('sha256').update(JSON.stringify(canonical(value) ?? null)).digest('base64url');
}

/**
 * Extension: `Idempotency-Key` on a create. The same key with the same body within 24 h replays the
 * first response (status and body, with `Idempotent-Replayed: true`) and creates nothing; with a
 * different body it is a 422; while the first is still being handled, a 409. Keys are per client
 * and route, in the store, so they hold across restarts and API processes.
 */
export class Idempotency {
  constructor(private readonly deps: { store: Store; clock: Clock }) {}

  /** The request's key, or undefined when it sent none. */
  keyOf(request: FastifyRequest): string | undefined {
    const raw = request.headers['idempotency-key'];
    if (raw === undefined) return undefined;
    const key = Array.isArray(raw) ? raw[0] : raw;
    if (!VALID_KEY.test(key)) throw apiError('IDEMPOTENCY_KEY_INVALID');
    return key;
  }

  /**
   * Claims the key for this request, or answers it: a replay is sent on `reply` and true returned.
   */
  async begin(request: FastifyRequest, reply: FastifyReply, key: string, fingerprint: string): Promise<boolean> {
    const now = this.deps.clock.now();
    const row = { client_id: request.principal!.clientId, scope: `${request.method} ${request.routeOptions.url}`, key, fingerprint, status: null, body: null, locked_until: now + LOCK_MS, created_at: now };
    const { db } = this.deps.store;
    if ((await idempotency.claimKey(db, row)) || (await idempotency.takeOverKey(db, row, now - KEY_TTL_MS))) {
      request.idempotencyClaim = { id: row, saved: false };
      return false;
    }
    const held = await idempotency.getKey(db, row);
    if (!held) throw apiError('IDEMPOTENCY_KEY_IN_FLIGHT', { key }); // released between our two reads: the retry will claim it
    if (held.fingerprint !== fingerprint) throw apiError('IDEMPOTENCY_KEY_REUSED', { key });
    if (held.status === null || held.body === null) throw apiError('IDEMPOTENCY_KEY_IN_FLIGHT', { key });
    reply.code(held.status).header(REPLAY_HEADER, 'true').type('application/json').send(held.body);
    return true;
  }

  /** Stores the response inside the transaction that created the resource, so a crash can't separate them. */
  static async saveWith(trx: Transaction<Database>, claim: Claim, status: number, body: unknown): Promise<void> {
    await idempotency.saveResponse(trx, claim.id, status, JSON.stringify(body));
  }

  /** The onSend hook: stores what was answered, or releases the key when a retry could succeed. */
  onSend = async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const claim = request.idempotencyClaim;
    if (!claim || claim.saved) return payload;
    claim.saved = true;
    const { db } = this.deps.store;
    if (RETRYABLE(reply.statusCode) || typeof payload !== 'string') await idempotency.releaseKey(db, claim.id);
    else await idempotency.saveResponse(db, claim.id, reply.statusCode, payload);
    return payload;
  };

  /** Route options for a JSON create: claim in preHandler (after auth and validation), record in onSend. */
  jsonRoute() {
    return {
      preHandler: async (request: FastifyRequest, reply: FastifyReply) => {
        // Multipart bodies are claimed by the handler once the parts are read (isMultipart exists only where multipart is registered).
        if (request.isMultipart?.()) return;
        const key = this.keyOf(request);
        if (key !== undefined && (await this.begin(request, reply, key, fingerprintJson(request.body)))) return reply;
      },
      onSend: this.onSend,
    };
  }
}
