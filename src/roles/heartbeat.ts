import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Logger } from 'pino';
import { VERSION } from '../cli/version.js';
import type { Clock } from '../clock.js';
import type { EngineStatus } from '../engines/index.js';
import { Periodic } from '../periodic.js';
import { heartbeats, type Store } from '../store/index.js';
import type { Role } from './role.js';

/** Rows of processes silent this long are forgotten. */
const FORGET_AFTER_MS = 24 * 60 * 60 * 1000;

export interface HeartbeatDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  role: Role;
  /** The id jobs are locked by, for a process that runs them. */
  id?: string;
  intervalMs: number;
  /** Jobs this process can run at once. */
  slots: number;
  /** The generation ids this process is running now. */
  running(): string[];
  /** Its remote engines' breakers and lanes, for a process that runs jobs. */
  engines?(): EngineStatus[];
}

/**
 * Records this process in the store every `intervalMs` (role, host, pid, version, what it runs),
 * so `GET /admin/v1/workers` shows every process and which are alive; marked stopped on drain.
 */
export class Heartbeat {
  readonly id: string;
  private readonly startedAt: number;
  private readonly periodic: Periodic;

  constructor(private readonly deps: HeartbeatDeps) {
    this.id = deps.id ?? `${deps.role}-${randomUUID().slice(0, 8)}`;
    this.startedAt = deps.clock.now();
    this.periodic = new Periodic(() => this.beat(), deps.intervalMs, (err) => deps.logger.warn({ err }, 'heartbeat not recorded'));
  }

  async start(): Promise<void> {
    await this.beat();
    await heartbeats.pruneHeartbeats(this.deps.store.db, this.deps.clock.now() - FORGET_AFTER_MS);
    this.periodic.start();
  }

  /** Records now, off the beat: a breaker that opened or closed shows at once. */
  refresh(): void {
    this.beat().catch((err) => this.deps.logger.warn({ err }, 'heartbeat not recorded'));
  }

  private async beat(): Promise<void> {
    const { store, clock, role, intervalMs, slots } = this.deps;
    const running = this.deps.running();
    await heartbeats.recordHeartbeat(store.db, {
      id: this.id,
      role,
      host: os.hostname(),
      pid: process.pid,
      version: VERSION,
      worker_slots: slots,
      jobs_running: running.length,
      running: JSON.stringify(running),
      interval_ms: intervalMs,
      started_at: this.startedAt,
      last_seen_at: clock.now(),
      stopped_at: null,
      engines: this.deps.engines ? JSON.stringify(this.deps.engines()) : null,
    });
  }

  async stop(): Promise<void> {
    await this.periodic.stop();
    await heartbeats.markStopped(this.deps.store.db, this.id, this.deps.clock.now()).catch((err) => this.deps.logger.warn({ err }, 'heartbeat not marked stopped'));
  }
}
