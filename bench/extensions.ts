// Extensions: their cost on the hot path (against --strict), webhook delivery latency, 1,000 open
// event streams, and listing at 1 million generations.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import autocannon from 'autocannon';
import { events, generations, openStore } from '../src/store/index.js';
import { spawnServer, type ServerProcess } from '../test/helpers/process.js';
import { BENCH_KEY, benchHeaders as headers, submitBody } from './fixtures.js';
import { medianMs, percentile, report, throughput, timings } from './measure.js';

async function atelier(env: NodeJS.ProcessEnv, args: string[] = []): Promise<ServerProcess & { stop(): Promise<void> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-bench-ext-'));
  const server = await spawnServer(['--data-dir', dataDir, '--rpm', '0', '--max-concurrent', '0', '--allow-private-urls', ...args], {
    ATELIER_API_KEYS: BENCH_KEY,
    ATELIER_LOG_LEVEL: 'info',
    ATELIER_POLL_INTERVAL_MS: '200',
    ATELIER_MAX_CONNECTIONS_PER_ADDRESS: '0',
    ...env,
  });
  return {
    ...server,
    async stop() {
      server.child.kill('SIGKILL');
      await server.exited;
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function submit(url: string): Promise<string> {
  const res = await fetch(`${url}/v1/generations`, { method: 'POST', headers, body: submitBody });
  if (res.status !== 201) throw new Error(`POST ${res.status}`);
  return (await res.json()).id;
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * What the extensions cost the spec's hot path: GET of a queued generation (which carries its
 * queue position) at the head of the queue and behind a backlog, and POST, each on a server with
 * extensions against one with --strict, in interleaved rounds (no workers, so jobs stay queued).
 * Besides requests per second, the server's CPU time per request: on a machine shared with other
 * work it moves far less than throughput does.
 */
export async function hotPathCost(backlog: number, seconds: number, rounds: number): Promise<void> {
  const on = await atelier({ ATELIER_WORKERS: '0' });
  const strict = await atelier({ ATELIER_WORKERS: '0' }, ['--strict']);
  try {
    const loads: Record<string, { load: Parameters<typeof throughput>[0]; pid: number }> = {};
    for (const [name, server] of [['on', on], ['strict', strict]] as const) {
      const head = await submit(server.url);
      const seeded = await autocannon({ url: `${server.url}/v1/generations`, method: 'POST', headers, body: submitBody, connections: 16, amount: backlog });
      if (seeded['2xx'] !== backlog) throw new Error(`backlog: ${seeded['2xx']} of ${backlog}`);
      const behind = await submit(server.url);
      const pid = server.child.pid!;
      loads[`getHead ${name}`] = { load: { url: `${server.url}/v1/generations/${head}`, headers }, pid };
      loads[`getBehind ${name}`] = { load: { url: `${server.url}/v1/generations/${behind}`, headers }, pid };
      loads[`post ${name}`] = { load: { url: `${server.url}/v1/generations`, method: 'POST', headers, body: submitBody }, pid };
    }
    const queue = (await (await fetch(loads['getBehind on'].load.url, { headers })).json()).queue;
    if (queue?.position !== backlog + 2) throw new Error(`the generation behind the backlog reads ${JSON.stringify(queue)}`);
    const rates = Object.fromEntries(Object.keys(loads).map((name) => [name, [] as number[]]));
    const cpu = Object.fromEntries(Object.keys(loads).map((name) => [name, [] as number[]]));
    // GETs first, on the backlog as it was seeded; then POSTs, which lengthen both queues alike.
    for (const phase of [['getHead', 'getBehind'], ['post']]) {
      const names = Object.keys(loads).filter((name) => phase.includes(name.split(' ')[0]));
      for (const name of names) await throughput({ ...loads[name].load, seconds: 1 });
      for (let round = 0; round < rounds; round++) {
        for (const name of names) {
          const { load, pid } = loads[name];
          const before = cpuSeconds(pid);
          const rate = await throughput({ ...load, seconds });
          rates[name].push(rate);
          cpu[name].push(((cpuSeconds(pid) - before) / (rate * seconds)) * 1e6);
        }
      }
    }
    const median = (values: number[]) => percentile(values, 50);
    const ratio = (of: Record<string, number[]>, name: string, invert: boolean) =>
      median(of[`${name} on`].map((value, round) => (invert ? of[`${name} strict`][round] / value : value / of[`${name} strict`][round])));
    for (const [name, label] of [
      ['getHead', 'GET queued, head of queue'],
      ['getBehind', `GET queued behind ${backlog / 1000}k jobs`],
      ['post', 'POST /v1/generations'],
    ] as const) {
      report(`ext on vs --strict: ${label}`, `${median(rates[`${name} on`]).toFixed(0)} req/s`, `${ratio(rates, name, false).toFixed(2)}×`, '≥ 0.90× strict');
      report(`  CPU per request (strict ÷ on)`, `${median(cpu[`${name} on`]).toFixed(0)} µs`, `${ratio(cpu, name, true).toFixed(2)}×`, '≥ 0.90× strict');
    }
  } finally {
    await on.stop();
    await strict.stop();
  }
}

/**
 * The event row (and its outbox fan-out query) that every state change writes in its transaction,
 * against a whole completion (which writes one), by statement work: 100 to a transaction so a
 * commit's cost (shared by both in real life) doesn't swamp them. It is on the workers' path, not
 * on a GET or a POST (a submit writes no event).
 */
export async function eventRowCost(total: number): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-bench-events-'));
  try {
    await (await openStore({ dataDir })).close();
    const raw = new SqliteDatabase(path.join(dataDir, 'atelier.db'));
    const clientId = randomUUID();
    raw.prepare("insert into clients (id, name, status, created_at) values (?, 'bench', 'active', 0)").run(clientId);
    const insert = raw.prepare(
      `insert into generations (id, client_id, api_key_id, type, model, state, request, price_micros, created_at, updated_at)
       values (?, ?, 'k', 'image', 'uni-1', 'processing', '{}', 0, 0, 0)`,
    );
    const ids = Array.from({ length: 2 * total }, () => randomUUID());
    raw.transaction(() => ids.forEach((id) => insert.run(id, clientId)))();
    raw.close();
    const store = await openStore({ dataDir });
    try {
      const BATCH = 100;
      const perCall = async (fn: (trx: Parameters<Parameters<typeof store.transact>[0]>[0], i: number) => Promise<unknown>, from: number) => {
        let spent = 0;
        for (let start = from; start < from + total; start += BATCH) {
          await store.transact(async (trx) => {
            const started = performance.now();
            for (let i = start; i < start + BATCH; i++) await fn(trx, i);
            spent += performance.now() - started;
          });
        }
        return (spent / total) * 1000;
      };
      const event = (trx: any, i: number) => events.recordEvent(trx, { client_id: clientId, subject_id: ids[i], type: 'generation.completed', data: '{}', created_at: i }, 'k');
      const completion = (trx: any, i: number) => generations.completeGeneration(trx, ids[i], '[]', i);
      await perCall(event, 0); // warm-up
      const eventUs = await perCall(event, 0);
      await perCall(completion, total); // warm-up, on rows of its own: a completed row isn't completed again
      const completionUs = await perCall(completion, 0);
      report('event row + outbox, per state change', `${eventUs.toFixed(0)} µs`, `${((eventUs / completionUs) * 100).toFixed(0)}%`, '— of a completion\'s statements');
    } finally {
      await store.close();
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** A receiver that notes when each body arrived, by the generation id inside it. */
async function receiver() {
  const arrived = new Map<string, number>();
  const waiting = new Map<string, () => void>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const at = Date.now();
      res.writeHead(204).end();
      try {
        const id = JSON.parse(body).data?.id;
        if (id) {
          arrived.set(id, at);
          waiting.get(id)?.();
        }
      } catch {
        // the baseline's bodies
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    arrival: (id: string) => new Promise<number>((resolve) => (arrived.has(id) ? resolve(arrived.get(id)!) : waiting.set(id, () => resolve(arrived.get(id)!)))),
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

/** From the moment a generation ends (the event's timestamp) to the webhook's arrival, against a plain POST of the same size. */
async function webhookLatency(runs: number): Promise<void> {
  const hook = await receiver();
  const server = await atelier({ ATELIER_WORKERS: '1' });
  try {
    const created = await fetch(`${server.url}/v1/webhooks`, { method: 'POST', headers, body: JSON.stringify({ url: hook.url, events: ['generation.failed'] }) });
    if (created.status !== 201) throw new Error(`webhook endpoint: ${created.status}`);
    const sample = JSON.stringify({ type: 'generation.failed', timestamp: new Date().toISOString(), data: { id: 'baseline', padding: 'x'.repeat(300) } });
    const bare = await timings(runs, () => fetch(hook.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: sample }).then((r) => r.arrayBuffer()));
    const latencies: number[] = [];
    for (let i = 0; i < runs; i++) {
      // An injected failure ends at once: what is measured is the outbox, not a render.
      const res = await fetch(`${server.url}/v1/generations`, { method: 'POST', headers: { ...headers, 'x-atelier-fault': 'generation_failed' }, body: JSON.stringify({ prompt: `hook ${i}` }) });
      const { id } = await res.json();
      const arrivedAt = await hook.arrival(id);
      const ended = await (await fetch(`${server.url}/v1/webhooks/deliveries?subject_id=${id}`, { headers })).json();
      const endedAt = Date.parse(ended.data[0].created_at);
      latencies.push(arrivedAt - endedAt);
    }
    const base = percentile(bare, 50);
    report('webhook: end → receipt p50', `${percentile(latencies, 50).toFixed(1)} ms`, `${(percentile(latencies, 50) / base).toFixed(0)}× POST`, '≤ 50 ms');
    report('webhook: end → receipt p99', `${percentile(latencies, 99).toFixed(1)} ms`, `${(percentile(latencies, 99) / base).toFixed(0)}× POST`, '≤ 250 ms');
  } finally {
    await server.stop();
    await hook.close();
  }
}

async function rss(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^atelier_process_resident_memory_bytes (\d+)/m.exec(text)?.[1] ?? NaN);
}

/** 1,000 open GET /v1/events streams on one API process: memory per stream, and how long one event takes to reach them all. */
async function openStreams(count: number): Promise<void> {
  const server = await atelier({ ATELIER_WORKERS: '0' });
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const requests: http.ClientRequest[] = [];
  try {
    const url = new URL(`${server.url}/v1/events`);
    global.gc?.();
    await new Promise((r) => setTimeout(r, 500));
    const before = await rss(server.url);
    let arrivals: Array<() => void> = [];
    let opened = 0;
    await new Promise<void>((resolve, reject) => {
      for (let i = 0; i < count; i++) {
        const req = http.get({ host: url.hostname, port: url.port, path: url.pathname, agent, headers: { authorization: headers.authorization } }, (res) => {
          if (res.statusCode !== 200) return reject(new Error(`stream ${res.statusCode}`));
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            if (chunk.includes('event: generation.failed')) arrivals.shift()?.();
          });
          if (++opened === count) resolve();
        });
        req.on('error', reject);
        requests.push(req);
      }
    });
    await new Promise((r) => setTimeout(r, 1500));
    const after = await rss(server.url);
    report(`SSE: ${count} open streams, memory per stream`, `${((after - before) / count / 1024).toFixed(1)} KiB`, `${(after / before).toFixed(2)}× idle`, '≤ 64 KiB');

    // One event, fanned out to every stream: a cancel makes it.
    const fanout = await timings(5, async () => {
      const { id } = await (await fetch(`${server.url}/v1/generations`, { method: 'POST', headers, body: JSON.stringify({ prompt: 'fan-out' }) })).json();
      const all = new Promise<void>((resolve) => {
        let left = count;
        arrivals = Array.from({ length: count }, () => () => --left === 0 && resolve());
      });
      await fetch(`${server.url}/v1/generations/${id}/cancel`, { method: 'POST', headers: { authorization: headers.authorization } });
      await all;
    });
    report(`SSE: one event to all ${count} streams`, `${percentile(fanout, 50).toFixed(0)} ms`, '', '≤ 500 ms');
  } finally {
    for (const req of requests) req.destroy();
    agent.destroy();
    await server.stop();
  }
}

/** GET /v1/generations's statements over 1 million generations of one client, against a primary-key read. */
async function listAtScale(total: number): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-bench-list-'));
  try {
    await (await openStore({ dataDir })).close();
    const raw = new SqliteDatabase(path.join(dataDir, 'atelier.db'));
    const clientId = randomUUID();
    raw.prepare("insert into clients (id, name, status, created_at) values (?, 'bench', 'active', 0)").run(clientId);
    const insert = raw.prepare(
      `insert into generations (id, client_id, api_key_id, type, model, state, request, user_id, price_micros, created_at, updated_at)
       values (?, ?, 'k', ?, 'uni-1', ?, '{}', ?, 0, ?, ?)`,
    );
    const start = Date.UTC(2026, 0, 1);
    let someId = '';
    raw.transaction(() => {
      for (let i = 0; i < total; i++) {
        const at = start + i * 1000;
        someId = `${at.toString(16).padStart(12, '0').replace(/^(.{8})(.{4})$/, '$1-$2')}-7${randomUUID().slice(15)}`;
        insert.run(someId, clientId, i % 5 ? 'image' : 'image_edit', i % 50 ? 'completed' : 'failed', `user-${i % 1000}`, at, at);
      }
    })();
    raw.close();
    const store = await openStore({ dataDir });
    try {
      const baseline = await medianMs(50, () => generations.getGeneration(store, someId, clientId));
      const page = (filter: generations.GenerationFilter) => medianMs(20, () => generations.listGenerations(store.db, clientId, filter, 25));
      const mid = start + (total / 2) * 1000;
      for (const [name, filter] of [
        ['first page', {}],
        ['state=failed (1 in 50)', { state: 'failed' }],
        ['user_id (1 in 1000)', { userId: 'user-7' }],
        ['created range, mid-history', { createdFrom: mid, createdTo: mid + 3_600_000 }],
      ] as const) {
        const ms = await page(filter);
        report(`list: ${name} (${total / 1e6}M rows)`, `${ms.toFixed(2)} ms`, `${(ms / baseline).toFixed(0)}× pk read`, '≤ 10 ms');
      }
    } finally {
      await store.close();
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function extensionsScenario(): Promise<void> {
  await hotPathCost(Number(process.env.BENCH_BACKLOG ?? 10_000), Number(process.env.BENCH_SECONDS ?? 5), Number(process.env.BENCH_ROUNDS ?? 3));
  await eventRowCost(Number(process.env.BENCH_EVENTS ?? 5000));
  await webhookLatency(Number(process.env.BENCH_WEBHOOKS ?? 100));
  await openStreams(Number(process.env.BENCH_STREAMS ?? 1000));
  await listAtScale(Number(process.env.BENCH_LIST_ROWS ?? 1_000_000));
}
