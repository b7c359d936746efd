import type { FastifyInstance } from 'fastify';
import { Account } from '../../contract/dashboard-schemas.js';
import { accountView } from '../../accounts/account.js';
import { clientUsage, type UsageQuery } from '../../accounts/usage.js';
import { refuseOtherMethods } from '../app.js';
import { authenticate, type ApiDeps } from '../context.js';

/** `GET /v1/usage` (spec §7 names it without a shape; ours is in docs/compatibility.md). */
export function usageRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get<{ Querystring: UsageQuery }>(
    '/v1/usage',
    { onRequest: authenticate(deps) },
    async (request) => clientUsage(deps.store, request.principal!.clientId, request.query, deps.clock.now()),
  );
  refuseOtherMethods(app, '/v1/usage', ['GET']);
}

/** Extension (absent with --strict): `GET /v1/account`, the caller's balance, limits and user budgets. */
export function accountRoutes(app: FastifyInstance, deps: ApiDeps): void {
  if (deps.config.strict) return;
  app.get('/v1/account', { onRequest: authenticate(deps), schema: { response: { 200: Account } } }, async (request) => accountView(deps.store, request.principal!.clientId, deps.clock.now()));
  refuseOtherMethods(app, '/v1/account', ['GET']);
}
