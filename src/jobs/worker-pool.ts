import { randomUUID } from 'node:crypto';
import { monotonicMs } from '../clock.js';
import type { Config } from '../config.js';
import { errorMessage } from '../errors.js';
import type { StoredRequest } from '../generations/index.js';
import { generations, queue } from '../store/index.js';
import { VIDEO_TYPES, type GenerationKind } from '../contract/index.js';
import { emulationStep } from '../emulator/emulation.js';
import { endGeneration, finish, produce, type EngineRun, type JobDeps, type Outcome } from './run-job.js';
import { remoteRun } from './remote-run.js';
import type { GenerationTable } from '../store/index.js';

interface Running {
  generationId: string;
  video: boolean;
  /** The remote engine whose lane claimed it; null = a CPU slot's job. */
  lane: string | null;
  /** Records the engine's progress on the generation, at most every PROGRESS_EVERY_MS (stage changes at once). */
  progress(fraction: number, stage: string): void;
  abort: AbortController;
  done: Promise<void>;
}

const PROGRESS_EVERY_MS = 500;
/** The remote lane's least time between two claims. */
const CLAIM_GAP_MS = 5;

const CLAIMS = ['local', 'remote'] as const;
type Claims = (typeof CLAIMS)[number];

/**
 * In-process workers: each loop claims one job at a time under a lease, renews the
 * lease while the engine runs, and records the outcome in one transaction.
 */
export class WorkerPool {
  /** What its job leases are locked by; the process's heartbeat id when it has one. */
  readonly id: string;
  private stopping = false;
  private readonly running = new Map<string, Running>();
  private readonly loops: Promise<void>[] = [];
  /**
   * Each idle loop's waker, by what it claims: local work or the remote lanes. A wake runs those
   * of one kind (a new job wakes only loops that can take it), or of both, once, and forgets them.
   */
  private readonly sleepers: Record<Claims, Set<() => void>> = { local: new Set(), remote: new Set() };
  private readonly wake = (claims?: Claims) => {
    for (const kind of claims ? [claims] : CLAIMS) {
      const woken = [...this.sleepers[kind]];
      this.sleepers[kind].clear();
      for (const done of woken) done();
    }
  };
  /**
   * Idle loops poll the store one at a time: each poll wakes one sleeper of each kind, and a loop
   * that claims a job wakes the next, so a backlog found by polling still spreads over every loop
   * while an idle process makes one claim per interval, not one per loop.
   */
  private readonly wakeOne = (claims: Claims) => {
    const [first] = this.sleepers[claims];
    first?.();
  };
  private poller: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly deps: JobDeps & { config: Pick<Config, 'limits' | 'leaseMs' | 'pollIntervalMs' | 'jobNotifications' | 'videoConcurrency'> },
    private readonly size: number,
    id?: string,
  ) {
    this.id = id ?? `worker-${randomUUID().slice(0, 8)}`;
  }

  start(): void {
    const { events, store } = this.deps;
    const wakeOn = [
      this.deps.config.jobNotifications
        ? store.notifications.subscribe('job:new', ({ lane }) => this.wake(lane === undefined ? undefined : lane === null ? 'local' : 'remote'))
        : () => undefined,
      store.notifications.onGap(() => this.wake()),
      events.on('clock:advanced', () => this.wake()),
      events.on('engine:progress', (e) => this.running.get(e.generationId)?.progress(e.fraction, e.stage)),
      // A cancel deletes the job, so a worker elsewhere stops when its lease renewal fails; here it stops at once.
      events.on('generation:cancelled', (e) => this.running.get(e.generationId)?.abort.abort()),
      // Cancelled through another process: stop now rather than at the next lease renewal.
      store.notifications.subscribe('generation:changed', (e) => {
        if (e.state === 'failed') this.running.get(e.generationId)?.abort.abort();
      }),
    ];
    this.unsubscribe = () => {
      wakeOn.forEach((off) => off());
      if (this.poller) clearInterval(this.poller);
    };
    for (let i = 0; i < this.size; i++) this.loops.push(this.loop());
    if (this.size > 0 && this.deps.routing?.remoteLinks().length) this.loops.push(this.remoteLoop());
    if (this.loops.length > 0) this.poller = setInterval(() => CLAIMS.forEach(this.wakeOne), this.deps.config.pollIntervalMs);
  }

  /** Jobs in flight per remote lane, for limits and metrics. */
  inFlight(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const link of this.deps.routing?.remoteLinks() ?? []) counts[link.name] = 0;
    for (const job of this.running.values()) if (job.lane) counts[job.lane] = (counts[job.lane] ?? 0) + 1;
    return counts;
  }

  /**
   * The remote lane: claims the jobs of each remote engine while it has room (`in_flight`) and
   * runs them without waiting for them, so waiting on a backend holds no CPU slot.
   */
  private async remoteLoop(): Promise<void> {
    const links = this.deps.routing!.remoteLinks();
    let claimedAt = -Infinity;
    while (!this.stopping) {
      try {
        // Claims at most every CLAIM_GAP_MS: a burst of submits is claimed a few at a time, not one claim each.
        const gap = claimedAt + CLAIM_GAP_MS - monotonicMs();
        if (gap > 0) await new Promise((resolve) => setTimeout(resolve, gap));
        claimedAt = monotonicMs();
        const counts = this.inFlight();
        let claimed = 0;
        for (const link of links) {
          const room = Math.min(link.entry.in_flight - (counts[link.name] ?? 0), 64);
          if (room <= 0 || this.stopping) continue;
          const jobs = await queue.claimJobs(this.deps.store.db, this.deps.store.dialect, {
            workerId: this.id,
            limit: room,
            now: this.deps.clock.now(),
            leaseMs: this.deps.config.leaseMs,
            lanes: [link.name],
          });
          for (const job of jobs) void this.run(job.generation_id, job.attempts, job.max_attempts, link.name).finally(() => this.wake('remote'));
          claimed += jobs.length;
        }
        if (claimed === 0) await this.idle('remote');
      } catch (err) {
        this.deps.logger.error({ err }, 'remote lane error');
        await this.idle('remote');
      }
    }
  }

  /** The generations this pool is running now. */
  runningIds(): string[] {
    return [...this.running.keys()];
  }

  /** Stops claiming, lets running jobs finish for up to `drainMs`, then gives the rest back. */
  async stop(drainMs: number): Promise<void> {
    this.stopping = true;
    this.unsubscribe?.();
    this.wake();
    // Waiting on a backend is resumed by the next worker from the stored upstream id: no need to drain it.
    for (const job of this.running.values()) if (job.lane) job.abort.abort();
    const drained = Promise.all([...this.running.values()].map((r) => r.done));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([drained, new Promise((resolve) => (timer = setTimeout(resolve, drainMs)))]);
    clearTimeout(timer);
    for (const job of this.running.values()) job.abort.abort();
    await Promise.all(this.loops);
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      try {
        await this.failExhausted();
        const [job] = await queue.claimJobs(this.deps.store.db, this.deps.store.dialect, {
          workerId: this.id,
          limit: 1,
          now: this.deps.clock.now(),
          leaseMs: this.deps.config.leaseMs,
          skipTypes: this.atVideoCapacity() ? VIDEO_TYPES : undefined,
          lanes: null, // remote engines' jobs are the remote lane's
        });
        if (job) {
          this.wakeOne('local');
          await this.run(job.generation_id, job.attempts, job.max_attempts, null);
        } else await this.idle('local');
      } catch (err) {
        this.deps.logger.error({ err }, 'worker loop error');
        await this.idle('local');
      }
    }
  }

  /**
   * Video jobs beyond the encode capacity stay queued, so waiting for ffmpeg can't tie up a
   * worker that image jobs need. (The encode semaphore stays the hard bound.)
   */
  private atVideoCapacity(): boolean {
    return [...this.running.values()].filter((r) => r.video).length >= this.deps.config.videoConcurrency;
  }

  /** Waits for a wake: a notification, a job's end, or the pool's poll. */
  private idle(claims: Claims): Promise<void> {
    // A loop that was claiming when stop woke the sleepers would find no poller left to wake it.
    if (this.stopping) return Promise.resolve();
    // A set, not a chain of wrapped wakers: a chain grew by one closure per idle poll, for ever.
    return new Promise((resolve) => {
      const done = () => {
        this.sleepers[claims].delete(done);
        resolve();
      };
      this.sleepers[claims].add(done);
    });
  }

  private remoteRun(row: GenerationTable, request: StoredRequest): EngineRun {
    const { store, routing, events, logger, clock, config, video } = this.deps;
    const job = { generationId: row.id, clientId: row.client_id, workerId: this.id, request, upstream: row.upstream ?? null };
    return remoteRun({ store, routing: routing!, events, logger, clock, limits: config.limits, video }, job);
  }

  /** Ends generations whose every attempt died with its worker. */
  private async failExhausted(): Promise<void> {
    const { store, clock } = this.deps;
    for (const job of await queue.listExhaustedJobs(store.db, clock.now())) {
      const ended = await store.transact(async (trx) => {
        if (!(await queue.deleteExhaustedJob(trx, job.generation_id, clock.now()))) return false;
        const reason = `Generation failed after ${job.attempts} attempts`;
        await endGeneration(store, trx, job.generation_id, { kind: 'failed', code: 'generation_failed', reason }, clock.now());
        return true;
      });
      if (ended) this.deps.logger.warn({ generationId: job.generation_id, lastError: job.last_error }, 'job exhausted its attempts');
    }
  }

  /** Gives a job back (a drain, a lost lease) and wakes whichever worker can take it. */
  private async release(generationId: string): Promise<void> {
    const { store } = this.deps;
    await store.transact(async (trx) => {
      await queue.releaseJob(trx, generationId, this.id);
      await store.notifications.publish(trx, 'job:new', { generationId });
    });
  }

  /** After an abort: gives the job back, and drops what it stored if the generation was ended or removed under it. */
  private async letGo(generationId: string): Promise<void> {
    await this.release(generationId);
    await this.discardIfEnded(generationId);
  }

  /** A cancelled or reset generation keeps no outputs; a completed one's are another worker's (same keys) and stay. */
  private async discardIfEnded(generationId: string): Promise<void> {
    const row = await generations.getGenerationById(this.deps.store.db, generationId);
    if (!row || row.state === 'failed') await this.deps.blobs.deletePrefix(`generations/${generationId}`);
  }

  /** Progress is recorded on the generation and published on `generation:changed` once it is. */
  private progressRecorder(generationId: string, clientId: () => string | undefined): Running['progress'] {
    let last = { at: -Infinity, stage: '', fraction: -1 };
    return (fraction, stage) => {
      const at = monotonicMs();
      // The same report twice (a remote engine's 'storing', then the job's own) is written once.
      if (stage === last.stage && (fraction === last.fraction || (fraction < 1 && at - last.at < PROGRESS_EVERY_MS))) return;
      last = { at, stage, fraction };
      const progress = JSON.stringify({ fraction: Math.round(Math.min(1, Math.max(0, fraction)) * 1000) / 1000, stage });
      const { store, logger } = this.deps;
      generations
        .setProgress(store.db, generationId, progress)
        .then(() => {
          const client = clientId();
          if (client) return store.notifications.publish(store.db, 'generation:changed', { clientId: client, generationId, state: 'processing', progress: fraction });
        })
        .catch((err) => logger.warn({ err, generationId }, 'progress not recorded'));
    };
  }

  private async run(generationId: string, attempt: number, maxAttempts: number, lane: string | null): Promise<void> {
    const { store, clock, events, logger, config } = this.deps;
    const abort = new AbortController();
    let settle!: () => void;
    const done = new Promise<void>((resolve) => (settle = resolve));
    let clientId: string | undefined;
    const running: Running = { generationId, abort, done, video: false, lane, progress: this.progressRecorder(generationId, () => clientId) };
    this.running.set(generationId, running);
    const started = clock.now();
    const renew = setInterval(() => {
      queue
        .renewLease(store.db, generationId, this.id, clock.now() + config.leaseMs)
        .then((held) => held || abort.abort())
        .catch((err) => logger.error({ err, generationId }, 'lease renewal failed'));
    }, Math.max(50, Math.floor(config.leaseMs / 3)));

    try {
      events.emit('job:claimed', { generationId, attempt });
      const row = await generations.getGenerationById(store.db, generationId);
      if (!row || row.state === 'completed' || row.state === 'failed') {
        await queue.deleteJob(store.db, generationId, this.id);
        return;
      }
      running.video = lane === null && VIDEO_TYPES.includes(row.type as GenerationKind);
      clientId = row.client_id;
      const request = JSON.parse(row.request) as StoredRequest;
      const step = emulationStep(request.emulation, row.created_at, started);
      if ((step.kind !== 'wait' || step.processing) && row.state === 'queued') {
        await store.transact(async (trx) => {
          await generations.markGenerationsProcessing(trx, [generationId], started);
          await store.notifications.publish(trx, 'generation:changed', { clientId: row.client_id, generationId, state: 'processing' });
        });
      }
      if (step.kind === 'wait') {
        await queue.deferJob(store.db, generationId, this.id, step.until);
        return;
      }
      const outcome: Outcome =
        step.kind === 'fail'
          ? { kind: 'failed', code: step.code, reason: step.reason }
          : await produce(this.deps, generationId, request, abort.signal, lane ? this.remoteRun(row, request) : undefined);
      if (abort.signal.aborted) {
        await this.letGo(generationId);
        return;
      }
      if (!(await finish(this.deps, generationId, this.id, outcome))) {
        await this.discardIfEnded(generationId);
        return;
      }
      const ms = clock.now() - started;
      if (outcome.kind === 'completed') events.emit('job:completed', { generationId, type: row.type, model: row.model, ms });
      else events.emit('job:failed', { generationId, type: row.type, model: row.model, code: outcome.code, ms });
      logger.info({ generationId, outcome: outcome.kind, ms, attempt }, 'job finished');
    } catch (err) {
      const error = errorMessage(err);
      logger.error({ err, generationId, attempt }, 'job attempt failed');
      if (abort.signal.aborted) {
        await this.letGo(generationId).catch(() => undefined);
      } else if (attempt < maxAttempts) {
        const backoff = 1000 * 2 ** (attempt - 1);
        await queue.retryJob(store.db, generationId, this.id, clock.now() + backoff, error).catch(() => undefined);
        events.emit('job:retried', { generationId, attempt, error });
      } else {
        await finish(this.deps, generationId, this.id, { kind: 'failed', code: 'generation_failed', reason: 'Generation failed' }).catch(
          () => undefined,
        );
      }
    } finally {
      clearInterval(renew);
      this.running.delete(generationId);
      settle();
    }
  }
}
