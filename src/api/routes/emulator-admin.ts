import type { FastifyInstance } from 'fastify';
import { isMovable, isoSeconds } from '../../clock.js';
import { apiError, ClockAdvance } from '../../contract/index.js';
import { faultName, readFault } from '../../faults/fault.js';
import type { ApiDeps } from '../context.js';
import { resetEmulator } from '../../emulator/reset.js';

/** A key's fault as given to the admin API, in canonical form; null, '' and 'none' clear it. */
export function keyFault(deps: Pick<ApiDeps, 'config'>, value: string | null | undefined): string | null | undefined {
  if (value == null) return value;
  const fault = readFault(value, 'fault');
  if (fault && deps.config.mode === 'gateway') throw apiError('FAULT_GATEWAY', { field: 'fault' });
  return fault && faultName(fault);
}

/** `POST /admin/v1/reset`: empties generations, files and blobs between tests (emulator mode only). */
export function resetRoute(scope: FastifyInstance, deps: Pick<ApiDeps, 'config' | 'store' | 'clock'> & Partial<Pick<ApiDeps, 'blobs' | 'events'>>): void {
  scope.post('/reset', async () => {
    if (deps.config.mode === 'gateway') throw apiError('RESET_GATEWAY');
    return resetEmulator(deps);
  });
}

/** `/admin/v1/clock`: read the server clock, and move a virtual one forward. Registered inside the admin scope. */
export function clockRoutes(scope: FastifyInstance, deps: Pick<ApiDeps, 'clock'>): void {
  const { clock } = deps;
  const view = () => ({ now: isoSeconds(clock.now()), now_ms: clock.now(), virtual: isMovable(clock) });
  scope.get('/clock', async () => view());
  scope.post<{ Body: ClockAdvance }>('/clock/advance', { schema: { body: ClockAdvance } }, async (request) => {
    if (!isMovable(clock)) throw apiError('CLOCK_NOT_VIRTUAL');
    await clock.advance(Math.round(request.body.seconds * 1000));
    return view();
  });
}
