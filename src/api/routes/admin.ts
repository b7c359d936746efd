import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import * as admin from '../../accounts/admin.js';
import { usd } from '../../accounts/index.js';
import { apiError, BudgetPut, ClientCreate, ClientUpdate, CreditChange, KeyCreate, KeyUpdate } from '../../contract/index.js';
import type { ApiDeps } from '../context.js';
import { clockRoutes, keyFault, resetRoute } from './emulator-admin.js';
import { adminGenerationView } from '../../generations/index.js';
import { generations } from '../../store/index.js';
import { workerRoutes } from './workers-admin.js';
import { engineRoutes } from './engines-admin.js';
import { operatorRoutes } from './operator.js';
import { webhookAdminRoutes } from './webhooks-admin.js';

const digest = (value: string) => createHash('sha256').update(value).digest();
const time = (iso: string | null | undefined) => (iso == null ? (iso as null | undefined) : Date.parse(iso));

/** `/admin/v1/…`: clients, keys, credits and budgets, behind ATELIER_ADMIN_TOKEN. */
export function adminRoutes(app: FastifyInstance, deps: Pick<ApiDeps, 'config' | 'store' | 'clock' | 'auth' | 'urls' | 'secret'> & Partial<Pick<ApiDeps, 'blobs' | 'events' | 'routing'>>): void {
  const token = deps.config.adminToken ? digest(deps.config.adminToken) : null;
  // Other API processes drop their cached keys too, on `clients:changed`.
  const changed = () => {
    deps.auth.forget();
    deps.store.notifications.publish(deps.store.db, 'clients:changed', {}).catch(() => undefined);
  };
  const service: admin.AdminDeps = { store: deps.store, clock: deps.clock, changed };

  app.register(async (scope) => {
    scope.addHook('onRequest', async (request: FastifyRequest) => {
      if (!token) throw apiError('ADMIN_DISABLED');
      const header = request.headers.authorization ?? '';
      const given = header.startsWith('Bearer ') ? digest(header.slice(7)) : null;
      if (!given || !timingSafeEqual(given, token)) throw apiError('ADMIN_UNAUTHORIZED');
    });

    scope.post<{ Body: ClientCreate }>('/clients', { schema: { body: ClientCreate } }, async (request, reply) => {
      const { credits_usd, ...rest } = request.body;
      reply.code(201);
      return admin.createClient(service, { ...rest, balance_micros: credits_usd == null ? null : usd(credits_usd) });
    });
    scope.get('/clients', async () => ({ data: await admin.listClients(service) }));
    scope.get<{ Params: { id: string } }>('/clients/:id', async (request) => admin.getClient(service, request.params.id));
    scope.patch<{ Params: { id: string }; Body: ClientUpdate }>('/clients/:id', { schema: { body: ClientUpdate } }, async (request) =>
      admin.updateClient(service, request.params.id, request.body),
    );

    scope.post<{ Params: { id: string }; Body: KeyCreate }>('/clients/:id/keys', { schema: { body: KeyCreate } }, async (request, reply) => {
      reply.code(201);
      return admin.createKey(service, request.params.id, time(request.body?.expires_at) ?? null, keyFault(deps, request.body?.fault) ?? null);
    });
    scope.get<{ Params: { id: string } }>('/clients/:id/keys', async (request) => ({ data: await admin.listKeys(service, request.params.id) }));
    scope.patch<{ Params: { id: string }; Body: KeyUpdate }>('/keys/:id', { schema: { body: KeyUpdate } }, async (request) =>
      admin.updateKey(service, request.params.id, {
        revoke: request.body.revoked,
        expires_at: time(request.body.expires_at),
        fault: keyFault(deps, request.body.fault),
      }),
    );

    scope.post<{ Params: { id: string }; Body: CreditChange }>('/clients/:id/credits', { schema: { body: CreditChange } }, async (request) => {
      const { op, amount_usd, reason } = request.body;
      if (op !== 'unlimited' && amount_usd === undefined) throw apiError('FIELD_INVALID', { path: 'amount_usd', reason: `is required for '${op}'` });
      return admin.adjustCredits(service, request.params.id, { op, amount_micros: usd(amount_usd ?? 0), reason });
    });
    scope.get<{ Params: { id: string }; Querystring: { limit?: string } }>('/clients/:id/ledger', async (request) => ({
      data: await admin.listLedger(service, request.params.id, Math.min(1000, Math.max(1, Number(request.query.limit) || 100))),
    }));
    scope.put<{ Params: { id: string; user_id: string }; Body: BudgetPut }>(
      '/clients/:id/budgets/:user_id',
      { schema: { body: BudgetPut } },
      async (request) => {
        const { period, limit_usd } = request.body;
        const budgets = await admin.setUserBudget(service, request.params.id, request.params.user_id, period, limit_usd === null ? null : usd(limit_usd));
        return { data: budgets };
      },
    );
    scope.get<{ Params: { id: string } }>('/generations/:id', async (request) => {
      const row = await generations.getGenerationById(deps.store.db, request.params.id.toLowerCase());
      if (!row) throw apiError('GENERATION_NOT_FOUND');
      return adminGenerationView(row);
    });
    clockRoutes(scope, deps);
    resetRoute(scope, deps);
    workerRoutes(scope, deps);
    engineRoutes(scope, deps);
    operatorRoutes(scope, deps);
    if (!deps.config.strict) webhookAdminRoutes(scope, deps, () => deps.events?.emit('webhook:due', {}));
  }, { prefix: '/admin/v1' });
}
