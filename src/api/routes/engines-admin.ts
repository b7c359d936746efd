import type { FastifyInstance } from 'fastify';
import { systemClock } from '../../clock.js';
import type { EngineStatus, Routing } from '../../engines/index.js';
import { heartbeats, type HeartbeatTable, type Store } from '../../store/index.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Alive: running and heard from within three heartbeats (as `/admin/v1/workers` says). */
const alive = (row: HeartbeatTable, now: number) => row.stopped_at === null && now - row.last_seen_at <= 3 * row.interval_ms;

function reported(row: HeartbeatTable): EngineStatus[] {
  try {
    return row.engines ? (JSON.parse(row.engines) as EngineStatus[]) : [];
  } catch {
    return [];
  }
}

/** One engine in one process; the process fields are null for an engine no live process reports. */
interface EngineRow {
  engine: string;
  type: string;
  process: string | null;
  host: string | null;
  pid: number | null;
  breaker: string | null;
  failures: number | null;
  opened_at: string | null;
  trial_at: string | null;
  in_flight: number | null;
  in_flight_limit: number;
  reported_at: string | null;
}

/**
 * `/admin/v1/engines`: one row per remote engine and live process that runs its jobs. Breakers
 * are per process on purpose (a backend one host can't reach may answer another), so each row is
 * that process's breaker as its heartbeat last reported it; one that opens or closes is reported
 * at once. An engine of this server's routing file that no live process reports gets a row
 * without a process. (The admin CLI's `--data-dir` has no routing file: reported engines only.)
 */
export function engineRoutes(scope: FastifyInstance, deps: { store: Store; routing?: Routing }): void {
  scope.get('/engines', async () => {
    const now = systemClock.now();
    const processes = (await heartbeats.listHeartbeats(deps.store.db, 0)).filter((row) => alive(row, now));
    const data: EngineRow[] = processes.flatMap((row) =>
      reported(row).map((status) => ({
        engine: status.name,
        type: status.type,
        process: row.id,
        host: row.host,
        pid: row.pid,
        breaker: status.breaker.state,
        failures: status.breaker.failures,
        opened_at: iso(status.breaker.openedAt),
        trial_at: iso(status.breaker.trialAt),
        in_flight: status.inFlight,
        in_flight_limit: status.inFlightLimit,
        reported_at: iso(row.last_seen_at),
      })),
    );
    for (const { name, entry } of deps.routing?.remoteLinks() ?? []) {
      if (data.some((row) => row.engine === name)) continue;
      data.push({ engine: name, type: entry.type, process: null, host: null, pid: null, breaker: null, failures: null, opened_at: null, trial_at: null, in_flight: null, in_flight_limit: entry.in_flight, reported_at: null });
    }
    data.sort((a, b) => a.engine.localeCompare(b.engine) || String(a.process).localeCompare(String(b.process)));
    return { data };
  });
}
