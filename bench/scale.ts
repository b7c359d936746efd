// Scale-out on Postgres: `atelier api` and `atelier worker` processes on one database.
// 1) jobs/s with 1 and 2 worker processes when a job's time is waiting (a remote engine whose
//    upstream answers after 500 ms; and the emulator's --latency fixed:500, whose render is CPU);
// 2) the queue's own ceiling: submits/s through one API, claims/s straight on the store;
// 3) pick-up latency, 201 to `processing`, woken by LISTEN/NOTIFY against polling only;
// 4) GET and POST throughput of one `atelier api` on Postgres against the same on SQLite.
// Skips with a message when Postgres is absent. Run alone: node dist/bench/scale.js
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openStore, queue } from '../src/store/index.js';
import { postgresSchema, postgresSkip, POSTGRES_URL } from '../test/helpers/dialects.js';
import { spawnRole, type ServerProcess } from '../test/helpers/process.js';
import { BENCH_KEY, benchHeaders as headers, submitBody } from './fixtures.js';
import { scriptedUpstream } from './gateway.js';
import { interleavedRates, percentile, report, throughput } from './measure.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const scaleRounds = Number(process.env.BENCH_SCALE_ROUNDS ?? 3);
/** Between a remote job's status reads: 32 jobs in flight at 50 ms would be 640 reads a second. */
const POLL_UPSTREAM_MS = Number(process.env.BENCH_SCALE_UPSTREAM_POLL_MS ?? 100);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values: number[]) => percentile(values, 50);

interface Deployment {
  api: ServerProcess;
  workers: ServerProcess[];
  url: string;
  schema: string;
  /** Starts `n` more worker processes. */
  addWorkers(n: number): Promise<void>;
  /** Completion times (updated_at, ms) of completed generations, and how many failed. */
  ended(): Promise<{ completed: number[]; failed: number }>;
  stop(): Promise<void>;
}

/** One `atelier api` and `workers` worker processes on a fresh schema (or SQLite when `sqlite`), sharing a data dir. */
async function deploy(workers: number, args: string[], env: NodeJS.ProcessEnv, sqlite = false): Promise<Deployment> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-bench-scale-'));
  const db = sqlite ? null : await postgresSchema();
  const common = { ATELIER_API_KEYS: BENCH_KEY, ATELIER_RPM: '0', ATELIER_MAX_CONCURRENT: '0', ATELIER_MODERATION: 'off', ...(db ? { DATABASE_URL: db.url } : {}), ...env };
  const processes: ServerProcess[] = [];
  const client = db && new pg.Client({ connectionString: db.url });
  const addWorkers = async (n: number) => {
    const started = await Promise.allSettled(Array.from({ length: n }, () => spawnRole('worker', ['--data-dir', dataDir, ...args], common)));
    for (const p of started) if (p.status === 'fulfilled') processes.push(p.value);
    for (const p of started) if (p.status === 'rejected') throw p.reason;
  };
  try {
    await client?.connect();
    processes.push(await spawnRole('api', ['--data-dir', dataDir, ...args], common));
    await addWorkers(workers);
  } catch (err) {
    processes.forEach((p) => p.child.kill('SIGKILL'));
    await client?.end();
    await db?.drop();
    throw err;
  }
  return {
    api: processes[0],
    get workers() {
      return processes.slice(1);
    },
    url: processes[0].url,
    schema: db?.schema ?? '',
    addWorkers,
    async ended() {
      const { rows } = await client!.query<{ state: string; updated_at: string }>("select state, updated_at from generations where state in ('completed', 'failed')");
      return { completed: rows.filter((r) => r.state === 'completed').map((r) => Number(r.updated_at)), failed: rows.filter((r) => r.state === 'failed').length };
    },
    async stop() {
      for (const p of processes) p.child.kill('SIGKILL');
      await Promise.all(processes.map((p) => p.exited));
      await client?.end();
      await db?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function post(url: string, body: object): Promise<string> {
  const res = await fetch(`${url}/v1/generations`, { method: 'POST', headers, body: JSON.stringify(body) });
  if (res.status !== 201) throw new Error(`POST ${res.status}: ${await res.text()}`);
  return (await res.json()).id;
}

/**
 * Queues `jobs` generations through the API, then starts `workers` worker processes (or, without
 * `prefill`, starts them first), and waits for every job: the rate is the steady state, completions between the 10th and the 90th percentile of
 * their times, so the workers' start-up and the last jobs' tail don't count, nor does intake.
 */
async function jobsPerSecond(deployment: Deployment, workers: number, jobs: number, body: object, prefill = true): Promise<number> {
  if (!prefill) await deployment.addWorkers(workers);
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < jobs) await post(deployment.url, { ...body, prompt: `scale ${next++}` });
    }),
  );
  if (prefill) await deployment.addWorkers(workers);
  const deadline = performance.now() + 300_000;
  for (;;) {
    const { completed, failed } = await deployment.ended();
    if (failed > 0) throw new Error(`${failed} generations failed`);
    if (completed.length === jobs) {
      const times = completed.sort((a, b) => a - b);
      const [from, to] = [Math.floor(jobs * 0.1), Math.ceil(jobs * 0.9) - 1];
      return ((to - from) * 1000) / (times[to] - times[from]);
    }
    if (performance.now() > deadline) throw new Error(`${completed.length} of ${jobs} completed after 300 s`);
    await sleep(50);
  }
}

/** The median time from claim to end of the jobs the workers logged as finished. */
function jobMs(deployment: Deployment): number {
  const times = deployment.workers.flatMap((w) => w.lines.filter((l) => l.includes('"job finished"')).map((l) => JSON.parse(l).ms as number));
  return median(times);
}

/** A routing file sending uni-1 to a remote `luma` engine at `upstream`, `inFlight` jobs per worker process. */
function routingFile(upstream: string, inFlight: number): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-bench-routing-')), 'atelier.yaml');
  fs.writeFileSync(
    file,
    `engines:\n  luma:\n    type: luma\n    base_url: ${upstream}/v1\n    api_key: { env: LUMA_UPSTREAM_API_KEY }\n    poll_interval_ms: ${POLL_UPSTREAM_MS}\n    in_flight: ${inFlight}\n` +
      'models:\n  uni-1:\n    engines: [luma]\n',
  );
  return file;
}

interface Variant {
  name: string;
  target: string;
  /** The API, with no worker yet. */
  deploy(): Promise<Deployment>;
  workers: number;
  jobs: number;
  /** Queued before the workers start (default), or submitted while they run. */
  prefill?: boolean;
}

/** Jobs/s of each variant, in interleaved rounds; each ratio is against the first variant of its own round. */
async function compareVariants(variants: Variant[], body: object): Promise<void> {
  const rates: number[][] = variants.map(() => []);
  const jobTimes: number[][] = variants.map(() => []);
  for (let round = 0; round < scaleRounds; round++) {
    for (const [i, variant] of variants.entries()) {
      const deployment = await variant.deploy();
      try {
        rates[i].push(await jobsPerSecond(deployment, variant.workers, variant.jobs, body, variant.prefill));
        jobTimes[i].push(jobMs(deployment));
      } finally {
        await deployment.stop();
      }
    }
  }
  for (const [i, variant] of variants.entries()) {
    const ratio = median(rates[i].map((rate, round) => rate / rates[0][round]));
    report(variant.name, `${median(rates[i]).toFixed(1)} jobs/s`, `${ratio.toFixed(2)}×`, variant.target);
  }
  report('  job p50, claim to end, in that order', jobTimes.map((times) => median(times).toFixed(0)).join(' / ') + ' ms', '', '—');
}

async function scaling(): Promise<void> {
  const inFlight = Number(process.env.BENCH_SCALE_IN_FLIGHT ?? 16);
  const upstream = await scriptedUpstream(500);
  const configs = [inFlight, 2 * inFlight].map((n) => routingFile(upstream.url, n));
  // The remote lane wakes on each job's end, so it keeps the default poll (500 ms); the emulator's
  // deferred jobs fall due without a notification, so they are polled for every 100 ms.
  const poll = { ATELIER_POLL_INTERVAL_MS: '100' };
  const remote = (config: string) => () => deploy(0, ['--config', config, '--mode', 'gateway', '--workers', '1'], { LUMA_UPSTREAM_API_KEY: 'luma-api-upstream' });
  const jobs = Number(process.env.BENCH_SCALE_JOBS ?? 12 * inFlight);
  try {
    process.stdout.write(`remote engine whose upstream answers after 500 ms, in_flight ${inFlight} per worker process:\n`);
    await compareVariants(
      [
        { name: '  1 worker process', target: `baseline (ideal ${(inFlight / 0.5).toFixed(0)})`, deploy: remote(configs[0]), workers: 1, jobs },
        { name: '  2 worker processes', target: '≥ 1.8×', deploy: remote(configs[0]), workers: 2, jobs: 2 * jobs },
        // The control: as many jobs in flight in one process. When it gains no more than a second
        // process does, the limit is outside the worker (CPU, Postgres), not its concurrency.
        { name: `  control: 1 worker, in_flight ${2 * inFlight}`, target: '— (≈ 2 workers)', deploy: remote(configs[1]), workers: 1, jobs: 2 * jobs },
      ],
      { prompt: 'scale' },
    );
  } finally {
    await upstream.close();
    for (const config of configs) fs.rmSync(path.dirname(config), { recursive: true, force: true });
  }
  // The emulator: its 500 ms are deferrals that hold no slot, then the preview engine renders (CPU).
  const renders = Number(process.env.BENCH_SCALE_RENDERS ?? 40);
  if (renders === 0) return;
  const emulator = () => deploy(0, ['--latency', 'fixed:500', '--workers', '2'], poll);
  process.stdout.write('emulator, --latency fixed:500, 2 slots per worker process (the render after the wait is CPU):\n');
  await compareVariants(
    [
      { name: '  1 worker process', target: 'baseline', deploy: emulator, workers: 1, jobs: renders, prefill: false },
      { name: '  2 worker processes', target: '— (CPU-bound)', deploy: emulator, workers: 2, jobs: renders, prefill: false },
    ],
    { prompt: 'scale', aspect_ratio: '1:1', output_format: 'jpeg' },
  );
}

/** Submits through one API with no worker, then claims and finishes those jobs straight on the store. */
async function queueCeiling(): Promise<void> {
  const deployment = await deploy(0, [], {});
  try {
    const load = { url: `${deployment.url}/v1/generations`, method: 'POST' as const, headers, body: submitBody };
    await throughput({ ...load, seconds: 1 });
    const submits = await throughput({ ...load, seconds });
    const store = await openStore({ databaseUrl: POSTGRES_URL, schema: deployment.schema });
    try {
      const claimers = 8;
      let claimed = 0;
      const started = performance.now();
      const until = started + seconds * 1000;
      await Promise.all(
        Array.from({ length: claimers }, async (_, i) => {
          const workerId = `bench-claimer-${i}`;
          while (performance.now() < until) {
            const [job] = await queue.claimJobs(store.db, store.dialect, { workerId, limit: 1, now: Date.now(), leaseMs: 30_000, lanes: null });
            if (!job) return;
            await queue.deleteJob(store.db, job.generation_id, workerId);
            claimed++;
          }
        }),
      );
      const claims = (claimed * 1000) / (performance.now() - started);
      report('queue: submits through one api (POST, no worker)', `${submits.toFixed(0)} /s`, '1.00×', 'baseline');
      report(`queue: claim + delete on the store, ${claimers} claimers`, `${claims.toFixed(0)} /s`, `${(claims / submits).toFixed(2)}×`, '> 1× (drains faster than it fills)');
    } finally {
      await store.close();
    }
  } finally {
    await deployment.stop();
  }
}

/** 201 to the first poll that sees `processing` (or later), polled every 2 ms; returns once it ended, the worker idle again. */
async function pickUpMs(url: string, i: number): Promise<number> {
  const id = await post(url, { prompt: `pick-up ${i}`, aspect_ratio: '1:1', output_format: 'jpeg' });
  const accepted = performance.now();
  let pickedUp = NaN;
  for (;;) {
    const { state } = await (await fetch(`${url}/v1/generations/${id}`, { headers })).json();
    if (state !== 'queued' && Number.isNaN(pickedUp)) pickedUp = performance.now() - accepted;
    if (state === 'completed' || state === 'failed') return pickedUp;
    await sleep(Number.isNaN(pickedUp) ? 2 : 20);
  }
}

async function pickUp(): Promise<void> {
  const pollMs = 500;
  const env = { ATELIER_POLL_INTERVAL_MS: String(pollMs) };
  const notified = await deploy(1, ['--workers', '1'], env);
  const polled = await deploy(1, ['--workers', '1'], { ...env, ATELIER_JOB_NOTIFICATIONS: 'off' });
  try {
    const runs = Number(process.env.BENCH_PICKUPS ?? 40);
    const times = { notified: [] as number[], polled: [] as number[] };
    await pickUpMs(notified.url, -1);
    await pickUpMs(polled.url, -1);
    for (let i = 0; i < runs; i++) {
      times.notified.push(await pickUpMs(notified.url, i));
      times.polled.push(await pickUpMs(polled.url, i));
    }
    for (const p of [50, 99]) {
      const [n, q] = [percentile(times.notified, p), percentile(times.polled, p)];
      report(`pick-up 201→processing, polling ${pollMs} ms only p${p}`, `${q.toFixed(1)} ms`, '1.00×', 'baseline');
      report(`  … woken by LISTEN/NOTIFY p${p}`, `${n.toFixed(1)} ms`, `${(n / q).toFixed(2)}×`, 'milliseconds');
    }
  } finally {
    await notified.stop();
    await polled.stop();
  }
}

/** The same `atelier api` on SQLite and on Postgres, GET and POST in interleaved rounds. */
async function apiOnPostgres(): Promise<void> {
  const sqlite = await deploy(0, [], {}, true);
  const postgres = await deploy(0, [], {});
  try {
    const loads = {} as Record<'sqliteGet' | 'postgresGet' | 'sqlitePost' | 'postgresPost', { url: string; method?: 'POST'; headers: typeof headers; body?: string }>;
    for (const [name, deployment] of [['sqlite', sqlite], ['postgres', postgres]] as const) {
      const id = await post(deployment.url, { prompt: 'bench' });
      loads[`${name}Get`] = { url: `${deployment.url}/v1/generations/${id}`, headers };
      loads[`${name}Post`] = { url: `${deployment.url}/v1/generations`, method: 'POST', headers, body: submitBody };
    }
    const { rate, ratio } = await interleavedRates(loads, rounds, seconds);
    report('atelier api on SQLite: GET /v1/generations/{id}', rate('sqliteGet'), '1.00×', 'baseline');
    report('  … on Postgres', rate('postgresGet'), ratio('postgresGet', 'sqliteGet'), '—');
    report('atelier api on SQLite: POST /v1/generations', rate('sqlitePost'), '1.00×', 'baseline');
    report('  … on Postgres', rate('postgresPost'), ratio('postgresPost', 'sqlitePost'), '—');
  } finally {
    await sqlite.stop();
    await postgres.stop();
  }
}

export async function scaleScenario(): Promise<void> {
  const skip = await postgresSkip();
  if (skip) {
    process.stdout.write(`scale-out benchmarks skipped: ${skip}\n`);
    return;
  }
  process.stdout.write(`\nScale-out on Postgres (load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')})\n`);
  const parts = (process.env.BENCH_SCALE_PARTS ?? 'scaling,queue,pickup,api').split(',');
  if (parts.includes('scaling')) await scaling();
  if (parts.includes('queue')) await queueCeiling();
  if (parts.includes('pickup')) await pickUp();
  if (parts.includes('api')) await apiOnPostgres();
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await scaleScenario();
