import type { FastifyInstance } from 'fastify';
import { isoSeconds, VirtualClock } from '../../clock.js';
import { apiError, ClockAdvance } from '../../contract/index.js';
import { FAULT_GRAMMAR, parseFault } from '../../faults/fault.js';
import type { ApiDeps } from '../context.js';

/** A key's fault as given to the admin API: checked, canonical; '' and null clear it. */
export function keyFault(deps: Pick<ApiDeps, 'config'>, value: string | null | undefined): string | null | undefined {
  if (value === undefined || value === null || value === '' || value === 'none') return value === undefined ? undefined : null;
  if (deps.config.mode === 'gateway') throw apiError('FAULT_GATEWAY', { field: 'fault' });
  if (!parseFault(value)) throw apiError('FAULT_INVALID', { field: 'fault', value: value.slice(0, 100), grammar: FAULT_GRAMMAR });
  return value.trim();
}

/** `/admin/v1/clock`: read the server clock, and move a virtual one forward. Registered inside the admin scope. */
export function clockRoutes(scope: FastifyInstance, deps: Pick<ApiDeps, 'clock'>): void {
  const view = () => ({ now: isoSeconds(deps.clock.now()), now_ms: deps.clock.now(), virtual: deps.clock instanceof VirtualClock });
  scope.get('/clock', async () => view());
  scope.post<{ Body: ClockAdvance }>('/clock/advance', { schema: { body: ClockAdvance } }, async (request) => {
    if (!(deps.clock instanceof VirtualClock)) throw apiError('CLOCK_NOT_VIRTUAL');
    deps.clock.advance(Math.round(request.body.seconds * 1000));
    return view();
  });
}
