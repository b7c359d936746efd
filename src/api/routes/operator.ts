import type { FastifyInstance } from 'fastify';
import { accountView } from '../../accounts/account.js';
import { clientUsage, type UsageQuery } from '../../accounts/usage.js';
import { clients } from '../../store/index.js';
import { apiError, EmulatorUpdate, FAILURE_CODES } from '../../contract/index.js';
import { FAULT_GRAMMAR, HTTP_FAULT_STATUSES } from '../../faults/fault.js';
import { queueOverview } from '../../jobs/queue-overview.js';
import { latencyName, parseLatencyProfile } from '../../emulator/latency-profile.js';
import { LatencySetting } from '../../emulator/latency-setting.js';
import { isMovable } from '../../clock.js';
import { AdminGenerationListQuery } from '../../contract/dashboard-schemas.js';
import { generationDetails, generationView, listGenerations } from '../../generations/index.js';
import { generations } from '../../store/index.js';
import { pageThumbnails } from '../../thumbnails/index.js';
import { baseUrl, type ApiDeps } from '../context.js';
import { queryRules } from '../query.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;


/**
 * `/admin/v1/…` reads the dashboard's operator pages need: the queue, every client's generations,
 * a client's usage and account, and the emulator's settings. Registered inside the admin scope,
 * behind ATELIER_ADMIN_TOKEN.
 */
export function operatorRoutes(scope: FastifyInstance, deps: Pick<ApiDeps, 'config' | 'store' | 'clock' | 'urls' | 'secret' | 'emulator'>): void {
  scope.get('/queue', async () => queueOverview(deps.store, deps.clock.now()));

  scope.get<{ Querystring: AdminGenerationListQuery }>(
    '/generations',
    { ...queryRules(AdminGenerationListQuery), schema: { querystring: AdminGenerationListQuery } },
    async (request) => {
      const page = await listGenerations(deps.store, request.query.client_id ?? null, request.query);
      const base = baseUrl(deps.config, request);
      const now = deps.clock.now();
      const data = await Promise.all(page.rows.map(async (row) => ({ ...(await generationView(row, deps.urls, base, now, {})), client_id: row.client_id })));
      return { data, has_more: page.hasMore, next_cursor: page.nextCursor, thumbnails: pageThumbnails(page.rows, base, deps.secret, now) };
    },
  );

  scope.get<{ Params: { id: string } }>('/generations/:id/details', async (request) => {
    const id = request.params.id.toLowerCase();
    const row = UUID.test(id) ? await generations.getGenerationById(deps.store.db, id) : undefined;
    if (!row) throw apiError('GENERATION_NOT_FOUND');
    const base = baseUrl(deps.config, request);
    const now = deps.clock.now();
    const details = await generationDetails(deps.store, row.client_id, id, deps.urls, base, now);
    return { ...details, client_id: row.client_id, generation: await generationView(row, deps.urls, base, now, {}) };
  });

  scope.get<{ Params: { id: string }; Querystring: UsageQuery }>('/clients/:id/usage', async (request) => {
    if (!(await clients.getClient(deps.store.db, request.params.id))) throw apiError('CLIENT_NOT_FOUND');
    return clientUsage(deps.store, request.params.id, request.query, deps.clock.now());
  });

  scope.get<{ Params: { id: string } }>('/clients/:id/account', async (request) => accountView(deps.store, request.params.id, deps.clock.now()));

  // The admin CLI serves no submissions, so it has no emulator of its own; a change it makes still reaches the servers.
  let latency: Promise<LatencySetting> | undefined;
  const latencySetting = () => (latency ??= deps.emulator ? Promise.resolve(deps.emulator.latency) : LatencySetting.load(deps.store, deps.clock, deps.config));
  const emulatorView = async () => {
    const setting = await latencySetting();
    return {
      mode: deps.config.mode,
      latency: latencyName(setting.current()),
      latency_configured: latencyName(setting.configured),
      time_scale: deps.config.timeScale,
      chaos: deps.config.chaos,
      clock: isMovable(deps.clock) ? 'virtual' : 'system',
      faults: {
        grammar: FAULT_GRAMMAR,
        examples: [...FAILURE_CODES, ...HTTP_FAULT_STATUSES.map((s) => `http:${s}`), 'latency:2000', 'stuck', 'flaky:2'],
      },
    };
  };
  scope.get('/emulator', emulatorView);

  scope.patch<{ Body: EmulatorUpdate }>('/emulator', { schema: { body: EmulatorUpdate } }, async (request) => {
    if (deps.config.mode === 'gateway') throw apiError('LATENCY_GATEWAY');
    const profile = parseLatencyProfile(request.body.latency.trim());
    if (!profile) throw apiError('FIELD_INVALID', { path: 'latency', reason: `must be instant, realistic or fixed:<ms>, got '${request.body.latency}'` });
    await (await latencySetting()).set(profile);
    request.log.info({ latency: latencyName(profile) }, 'latency profile changed');
    return emulatorView();
  });
}
