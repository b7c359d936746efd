import type { FastifyInstance } from 'fastify';
import { accountView } from '../../accounts/account.js';
import { clientUsage, type UsageQuery } from '../../accounts/usage.js';
import { clients } from '../../store/index.js';
import { apiError, FAILURE_CODES } from '../../contract/index.js';
import { FAULT_GRAMMAR, HTTP_FAULT_STATUSES } from '../../faults/fault.js';
import { queueOverview } from '../../jobs/queue-overview.js';
import { VirtualClock } from '../../clock.js';
import type { ApiDeps } from '../context.js';

const latencyName = (latency: ApiDeps['config']['latency']) => (latency.kind === 'fixed' ? `fixed:${latency.ms}` : latency.kind);

/**
 * `/admin/v1/…` reads the dashboard's operator pages need: the queue, a client's usage, and the
 * emulator's settings. Registered inside the admin scope, behind ATELIER_ADMIN_TOKEN.
 */
export function operatorRoutes(scope: FastifyInstance, deps: Pick<ApiDeps, 'config' | 'store' | 'clock'>): void {
  scope.get('/queue', async () => queueOverview(deps.store, deps.clock.now()));

  scope.get<{ Params: { id: string }; Querystring: UsageQuery }>('/clients/:id/usage', async (request) => {
    if (!(await clients.getClient(deps.store.db, request.params.id))) throw apiError('CLIENT_NOT_FOUND');
    return clientUsage(deps.store, request.params.id, request.query, deps.clock.now());
  });

  scope.get<{ Params: { id: string } }>('/clients/:id/account', async (request) => accountView(deps.store, request.params.id, deps.clock.now()));

  scope.get('/emulator', async () => ({
    mode: deps.config.mode,
    latency: latencyName(deps.config.latency),
    time_scale: deps.config.timeScale,
    chaos: deps.config.chaos,
    clock: deps.clock instanceof VirtualClock ? 'virtual' : 'system',
    faults: {
      grammar: FAULT_GRAMMAR,
      examples: [...FAILURE_CODES, ...HTTP_FAULT_STATUSES.map((s) => `http:${s}`), 'latency:2000', 'stuck', 'flaky:2'],
    },
  }));
}
