import { monotonicMs, type Clock } from '../clock.js';
import type { Generation, GenerationKind } from '../contract/index.js';
import type { Routing } from '../engines/index.js';
import { heartbeats, queue, type Store } from '../store/index.js';

export interface QueuePositionDeps {
  store: Store;
  routing: Routing;
  clock: Clock;
}

/**
 * A snapshot stays fresh 50 times as long as making it took (at most 10 s), so keeping positions
 * costs each API process at most about 2% of its time: a short queue is read again at almost every
 * request (exact), one of 10,000 jobs lags claims by about half a second. While nothing is written the
 * embedded store answers the read from memory and the snapshot is kept as it is.
 */
const REFRESH_COST_SHARE = 50;
const MAX_FRESH_MS = 10_000;

/** One line's unclaimed jobs in claim order (local work, or one remote engine's lane), as last read. */
interface Snapshot {
  readAt: number;
  /** How long it stays fresh. */
  freshFor: number;
  /** The rows it was made from: the store hands back the same array while nothing was written. */
  rows: unknown[];
  /** When the first lease it saw held ends (that job is then unclaimed again). */
  leaseEnds: number;
  runAt: number[];
  ids: string[];
  index: Map<string, number>;
  /** It holds every unclaimed job of the line (the line is shorter than LINE_DEPTH). */
  complete: boolean;
  /** The line's unclaimed jobs, all of them: `ids.length` when complete, else counted. */
  total: number;
  /** Remote lanes: the engine has its in_flight jobs running in every live worker process. */
  backendFull: boolean;
}

/**
 * Extension: where queued generations stand. Counting the jobs ahead of each one on every GET
 * costs a scan of the queue per request, so each API process keeps a snapshot of each line's order
 * and answers from it: `scheduled` (not due yet), `backend` (its remote engine already
 * runs its `in_flight` jobs in every live worker process) or `worker` (waiting for a free worker).
 */
export class QueuePositions {
  private readonly lines = new Map<string | null, { snapshot?: Snapshot; reading?: Promise<Snapshot> }>();

  constructor(private readonly deps: QueuePositionDeps) {}

  /**
   * Where a generation just submitted stands, without reading its job back: submit queues it due
   * at its `created_at`, in the line of its model's first remote engine (or local work).
   */
  async ofSubmitted(row: { id: string; model: string; type: string; created_at: number }): Promise<Generation['queue']> {
    const snapshot = await this.fresh(this.deps.routing.lane(row.model, row.type as GenerationKind));
    const at = snapshot.index.get(row.id) ?? this.insertionPoint(snapshot, row.created_at, row.id);
    // Beyond a long line's snapshot, a new job is last: behind every job the line had when counted.
    return this.reason(snapshot, at === snapshot.ids.length ? snapshot.total : at, row.created_at);
  }

  /** The queue of a generation that reads as queued; undefined once a worker holds it. */
  of(generationId: string): Generation['queue'] | Promise<Generation['queue']> {
    // The hot path, without a promise: a fresh snapshot that has it.
    const at = monotonicMs();
    for (const line of this.lines.values()) {
      const snapshot = line.snapshot;
      const place = snapshot?.index.get(generationId);
      if (place !== undefined && at - snapshot!.readAt < snapshot!.freshFor) return this.place(snapshot!, place);
    }
    return this.read(generationId);
  }

  private async read(generationId: string): Promise<Generation['queue']> {
    for (const [lane, line] of this.lines) {
      if (line.snapshot?.index.get(generationId) === undefined) continue;
      const snapshot = await this.fresh(lane);
      const place = snapshot.index.get(generationId);
      if (place !== undefined) return this.place(snapshot, place);
    }
    const job = await queue.getJob(this.deps.store, generationId);
    if (!job) return undefined;
    const snapshot = await this.fresh(job.lane);
    const at = snapshot.index.get(generationId) ?? this.insertionPoint(snapshot, job.run_at, job.generation_id);
    if (at === snapshot.ids.length && !snapshot.complete) {
      const exact = await queue.jobPosition(this.deps.store.db, generationId, this.deps.clock.now());
      if (!exact) return undefined;
      return this.reason(snapshot, exact.ahead, exact.runAt);
    }
    return this.reason(snapshot, at, job.run_at);
  }

  private place(snapshot: Snapshot, at: number) {
    return this.reason(snapshot, at, snapshot.runAt[at]);
  }

  private reason(snapshot: Snapshot, ahead: number, runAt: number): Generation['queue'] {
    const reason = runAt > this.deps.clock.now() ? 'scheduled' : snapshot.backendFull ? 'backend' : 'worker';
    return { position: ahead + 1, reason };
  }

  /** How many of the snapshot's jobs come before (runAt, id): where a job read after it stands. */
  private insertionPoint(snapshot: Snapshot, runAt: number, id: string): number {
    let low = 0;
    let high = snapshot.ids.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (snapshot.runAt[mid] < runAt || (snapshot.runAt[mid] === runAt && snapshot.ids[mid] < id)) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  private fresh(lane: string | null): Promise<Snapshot> {
    let line = this.lines.get(lane);
    if (!line) this.lines.set(lane, (line = {}));
    if (line.snapshot && monotonicMs() - line.snapshot.readAt < line.snapshot.freshFor) return Promise.resolve(line.snapshot);
    line.reading ??= this.snapshot(lane, line.snapshot).then(
      (snapshot) => {
        line.snapshot = snapshot;
        line.reading = undefined;
        return snapshot;
      },
      (err) => {
        line.reading = undefined;
        throw err;
      },
    );
    return line.reading;
  }

  private async snapshot(lane: string | null, last: Snapshot | undefined): Promise<Snapshot> {
    const { store, clock } = this.deps;
    const readAt = monotonicMs();
    const now = clock.now();
    const rows = await queue.listLineJobs(store, lane);
    // Nothing written since, and no lease ended: the same order (a backend's load may have changed).
    if (last && rows === last.rows && now < last.leaseEnds) {
      return { ...last, readAt, backendFull: lane !== null && (await this.backendFull(lane, now)) };
    }
    const runAt: number[] = [];
    const ids: string[] = [];
    let leaseEnds = Infinity;
    for (const job of rows) {
      if (job.attempts >= job.max_attempts) continue;
      if (job.locked_until !== null && job.locked_until >= now) {
        leaseEnds = Math.min(leaseEnds, job.locked_until + 1);
        continue;
      }
      runAt.push(job.run_at);
      ids.push(job.generation_id);
    }
    const backendFull = lane !== null && (await this.backendFull(lane, now));
    const complete = rows.length < queue.LINE_DEPTH;
    return {
      readAt,
      freshFor: Math.min(MAX_FRESH_MS, (monotonicMs() - readAt) * REFRESH_COST_SHARE),
      rows,
      leaseEnds,
      runAt,
      ids,
      index: new Map(ids.map((id, i) => [id, i])),
      complete,
      total: complete ? ids.length : await queue.countUnclaimedInLine(store.db, lane, now),
      backendFull,
    };
  }

  /** Each worker process runs up to the engine's `in_flight` of its jobs at once (the remote lane). */
  private async backendFull(lane: string, now: number): Promise<boolean> {
    const link = this.deps.routing.remote(lane);
    if (!link) return false;
    const processes = await heartbeats.countLiveWorkerProcesses(this.deps.store.db, now);
    return processes > 0 && (await queue.countHeldInLane(this.deps.store.db, lane, now)) >= link.entry.in_flight * processes;
  }
}
