// Gateway: Atelier in front of an upstream through the `luma` engine, against calling the upstream
// directly in the same run. 1) submit-to-completed latency, the upstream being Atelier's emulator;
// 2) submit throughput of the gateway's API as a ratio of the emulator's; 3) 500 upstream jobs in
// flight on one worker process, the upstream a scripted Luma fake answering after 2 s.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { spawnServer, type ServerProcess } from '../test/helpers/process.js';
import { BENCH_KEY, benchHeaders as headers, submitBody } from './fixtures.js';
import { percentile, report, throughput, timings } from './measure.js';

const UPSTREAM_KEY = 'luma-api-bench-upstream-000000000000000000';
const POLL_MS = Number(process.env.BENCH_GATEWAY_POLL_MS ?? 50);
/** Many jobs poll less often: 500 jobs at 250 ms are 2000 status reads a second. */
const IN_FLIGHT_POLL_MS = 250;

type Running = ServerProcess & { stop(): Promise<void> };

async function server(args: string[], env: NodeJS.ProcessEnv): Promise<Running> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-bench-gw-'));
  const proc = await spawnServer(['--data-dir', dataDir, '--rpm', '0', '--max-concurrent', '0', ...args], { ATELIER_LOG_LEVEL: 'info', ...env });
  return {
    ...proc,
    async stop() {
      proc.child.kill('SIGKILL');
      await proc.exited;
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function gateway(upstreamUrl: string, extra: { inFlight?: number; workers?: number; pollMs?: number } = {}): Promise<Running> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-bench-routing-'));
  const file = path.join(dir, 'atelier.yaml');
  fs.writeFileSync(
    file,
    `engines:\n  luma:\n    type: luma\n    base_url: ${upstreamUrl}/v1\n    api_key: { env: LUMA_UPSTREAM_API_KEY }\n    poll_interval_ms: ${extra.pollMs ?? POLL_MS}\n    in_flight: ${extra.inFlight ?? 100}\n` +
      'models:\n  uni-1:\n    engines: [luma]\n',
  );
  return server(['--config', file, '--mode', 'gateway', '--workers', String(extra.workers ?? 1)], { ATELIER_API_KEYS: BENCH_KEY, LUMA_UPSTREAM_API_KEY: UPSTREAM_KEY, ATELIER_POLL_INTERVAL_MS: '20', ATELIER_ADMIN_TOKEN: 'bench-admin', ATELIER_MODERATION: 'off' });
}

async function submitAndWait(url: string, body: object): Promise<void> {
  const res = await fetch(`${url}/v1/generations`, { method: 'POST', headers, body: JSON.stringify(body) });
  if (res.status !== 201) throw new Error(`POST ${res.status}: ${await res.text()}`);
  const { id } = await res.json();
  for (;;) {
    const generation = await (await fetch(`${url}/v1/generations/${id}`, { headers })).json();
    if (generation.state === 'completed') return;
    if (generation.state === 'failed') throw new Error(`generation failed: ${generation.failure_reason}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

async function rss(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^atelier_process_resident_memory_bytes (\d+)/m.exec(text)?.[1] ?? NaN);
}

/** A Luma upstream that accepts every submit and completes it `latencyMs` later with a tiny PNG. */
export async function scriptedUpstream(latencyMs: number): Promise<{ url: string; submits: () => number; close(): Promise<void> }> {
  const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 40, g: 90, b: 200 } } }).png().toBuffer();
  const born = new Map<string, number>();
  let next = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const json = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      if (req.method === 'POST' && req.url === '/v1/generations') {
        const id = `00000000-0000-4000-8000-${String(next++).padStart(12, '0')}`;
        born.set(id, performance.now());
        return json(201, { id, type: 'image', state: 'queued', model: 'uni-1', output: [], failure_code: null, failure_reason: null });
      }
      const poll = /^\/v1\/generations\/([0-9a-f-]+)$/.exec(req.url ?? '');
      if (poll && born.has(poll[1])) {
        const done = performance.now() - born.get(poll[1])! >= latencyMs;
        const output = done ? [{ type: 'image', url: `http://${req.headers.host}/blob/${poll[1]}.png` }] : [];
        return json(200, { id: poll[1], type: 'image', state: done ? 'completed' : 'processing', model: 'uni-1', output, failure_code: null, failure_reason: null });
      }
      if (req.url?.startsWith('/blob/')) return res.writeHead(200, { 'content-type': 'image/png' }).end(png);
      json(404, { detail: 'Generation not found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    submits: () => next,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function gatewayScenario(runs = Number(process.env.BENCH_GATEWAY_RUNS ?? 30), inFlight = Number(process.env.BENCH_IN_FLIGHT ?? 500)): Promise<void> {
  await overheadScenario(runs);
  await inFlightScenario(inFlight);
}

async function overheadScenario(runs: number): Promise<void> {
  // 1) Latency: the upstream is Atelier's emulator; small images keep the render short and steady.
  const upstream = await server(['--workers', '2'], { ATELIER_API_KEYS: `${BENCH_KEY},${UPSTREAM_KEY}` });
  const gw = await gateway(upstream.url);
  try {
    const body = { prompt: 'A glass of iced coffee', aspect_ratio: '1:1', output_format: 'jpeg' };
    for (const url of [upstream.url, gw.url]) await timings(3, () => submitAndWait(url, body)); // warm-up
    const direct: number[] = [];
    const through: number[] = [];
    // Interleaved, so a noisy neighbour slows both alike.
    for (let i = 0; i < runs; i++) {
      direct.push(...(await timings(1, () => submitAndWait(upstream.url, { ...body, prompt: `${body.prompt} #d${i}` }))));
      through.push(...(await timings(1, () => submitAndWait(gw.url, { ...body, prompt: `${body.prompt} #g${i}` }))));
    }
    const [d50, d99, g50, g99] = [percentile(direct, 50), percentile(direct, 99), percentile(through, 50), percentile(through, 99)];
    report('baseline: submit→completed, upstream direct p50', `${d50.toFixed(0)} ms`, '1.00×', 'baseline');
    report('  … p99', `${d99.toFixed(0)} ms`, '', '—');
    report('through the gateway (luma engine) p50', `${g50.toFixed(0)} ms`, `${(g50 / d50).toFixed(2)}×`, '—');
    report('  … p99', `${g99.toFixed(0)} ms`, `${(g99 / d99).toFixed(2)}×`, '—');
    report(`  added at p50 beyond the ${POLL_MS} ms polling`, `${(g50 - d50 - POLL_MS).toFixed(1)} ms`, '', '< 10 ms');

    // 2) Submit throughput: the same POSTs into the emulator and into the gateway's API.
    const emulatorApi = await server(['--workers', '0'], { ATELIER_API_KEYS: BENCH_KEY });
    const gatewayApi = await gateway(upstream.url, { workers: 0 });
    try {
      const post = (url: string) => ({ url: `${url}/v1/generations`, method: 'POST' as const, headers, body: submitBody });
      for (const url of [emulatorApi.url, gatewayApi.url]) await throughput({ ...post(url), seconds: 1 });
      const seconds = Number(process.env.BENCH_SECONDS ?? 5);
      // Interleaved rounds, each ratio against its own round's baseline: a noisy neighbour slows a round alike.
      const emulatorRates: number[] = [];
      const gatewayRates: number[] = [];
      for (let round = 0; round < Number(process.env.BENCH_ROUNDS ?? 3); round++) {
        emulatorRates.push(await throughput({ ...post(emulatorApi.url), seconds }));
        gatewayRates.push(await throughput({ ...post(gatewayApi.url), seconds }));
      }
      const ratio = percentile(gatewayRates.map((rate, i) => rate / emulatorRates[i]), 50);
      report('baseline: POST into the emulator', `${percentile(emulatorRates, 50).toFixed(0)} req/s`, '1.00×', 'baseline');
      report('POST into the gateway (routed to luma)', `${percentile(gatewayRates, 50).toFixed(0)} req/s`, `${ratio.toFixed(2)}×`, '≈ 1×');
    } finally {
      await emulatorApi.stop();
      await gatewayApi.stop();
    }
  } finally {
    await gw.stop();
    await upstream.stop();
  }

}

/** CPU seconds (user + system) a child process has used so far, from /proc; NaN where there is none. */
function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks of 1/100 s
  } catch {
    return NaN;
  }
}

/** The gateway's completed and failed jobs so far, from `/metrics`: scraping it costs a server far less than polling every id. */
async function ended(url: string): Promise<{ completed: number; failed: number; rss: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const count = (outcome: string) =>
    [...text.matchAll(new RegExp(`^atelier_job_duration_seconds_count\\{[^}]*outcome="${outcome}"[^}]*\\} (\\d+)`, 'gm'))].reduce((n, m) => n + Number(m[1]), 0);
  return { completed: count('completed'), failed: count('failed'), rss: Number(/^atelier_process_resident_memory_bytes (\d+)/m.exec(text)?.[1] ?? NaN) };
}

/**
 * Runs `submit` `jobs` times, at most 100 at once (a client address may hold 256 connections,
 * docs/hardening.md), as a client with a pool of 100 connections would; the ids in order.
 */
async function submitAll(jobs: number, submit: (i: number) => Promise<string>): Promise<string[]> {
  const ids: string[] = new Array(jobs);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(100, jobs) }, async () => {
      while (next < jobs) {
        const i = next++;
        ids[i] = await submit(i);
      }
    }),
  );
  return ids;
}

/** The baseline: a client sends the same jobs straight to the upstream, 100 at a time, and polls each as the gateway does. */
async function direct(upstreamUrl: string, jobs: number): Promise<number> {
  const started = performance.now();
  const waits: Array<Promise<void>> = [];
  await submitAll(jobs, async () => {
    const id = (await (await fetch(`${upstreamUrl}/v1/generations`, { method: 'POST', body: '{}' })).json()).id as string;
    waits.push(
      (async () => {
        for (;;) {
          await new Promise((r) => setTimeout(r, IN_FLIGHT_POLL_MS));
          const generation = await (await fetch(`${upstreamUrl}/v1/generations/${id}`)).json();
          if (generation.state === 'completed') return;
        }
      })(),
    );
    return id;
  });
  await Promise.all(waits);
  return performance.now() - started;
}

export async function inFlightScenario(inFlight: number): Promise<void> {
  // 3) In flight: many upstream jobs waited on by one worker process (one CPU worker).
  const LATENCY_MS = 2000;
  const fake = await scriptedUpstream(LATENCY_MS);
  const baseline = await direct(fake.url, inFlight);
  const directSubmits = fake.submits();
  const wide = await gateway(fake.url, { inFlight, workers: 1, pollMs: IN_FLIGHT_POLL_MS });
  try {
    const before = await rss(wide.url);
    // The gateway's CPU with no job, scraped as during the run: its background loops and these scrapes.
    const idleFrom = { cpu: cpuSeconds(wide.child.pid), at: performance.now() };
    while (performance.now() - idleFrom.at < 2000) {
      await ended(wide.url);
      await new Promise((r) => setTimeout(r, 50));
    }
    const idlePerMs = (cpuSeconds(wide.child.pid) - idleFrom.cpu) / (performance.now() - idleFrom.at);
    const cpuBefore = cpuSeconds(wide.child.pid);
    const started = performance.now();
    const ids = await submitAll(inFlight, async (i) => {
      const res = await fetch(`${wide.url}/v1/generations`, { method: 'POST', headers, body: JSON.stringify({ prompt: `in flight ${i}` }) });
      if (res.status !== 201) throw new Error(`POST ${res.status}: ${await res.text()}`);
      return (await res.json()).id as string;
    });
    const accepted = performance.now();
    let upstreamAll = 0;
    const watch = setInterval(() => {
      if (!upstreamAll && fake.submits() >= directSubmits + inFlight) upstreamAll = performance.now();
    }, 5);
    let peak = before;
    let last = 0;
    // Scraped every 50 ms: the last completion is known to within that (counted at the scrape that sees it, an upper bound).
    for (;;) {
      const now = await ended(wide.url);
      last = performance.now();
      peak = Math.max(peak, now.rss);
      if (now.failed > 0) throw new Error(`${now.failed} in-flight generations failed`);
      if (now.completed >= inFlight) break;
      if (last - started > 120_000) throw new Error(`${inFlight - now.completed} of ${inFlight} still running after 120 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
    clearInterval(watch);
    const cpu = cpuSeconds(wide.child.pid) - cpuBefore - idlePerMs * (performance.now() - started);
    for (const id of ids) {
      const generation = await (await fetch(`${wide.url}/v1/generations/${id}`, { headers })).json();
      if (generation.state !== 'completed' || generation.output.length !== 1) throw new Error(`generation ${id} ended ${JSON.stringify(generation)}`);
    }
    const fromFirst = last - started;
    const fromLast201 = last - accepted;
    // Two clocks. From the first submit, the gateway's intake (accepting 500 POSTs while submitting
    // them upstream) adds to the 2 s; the baseline is the same client talking to the upstream direct.
    // From the last 201, every job is the gateway's: about 1× means the upstream latency plus at
    // most one polling interval.
    report(`baseline: ${inFlight} jobs of 2 s sent to the upstream direct`, `${(baseline / 1000).toFixed(2)} s`, '1.00×', 'baseline');
    report(`through the gateway (one worker), first submit → last completed`, `${(fromFirst / 1000).toFixed(2)} s`, `${(fromFirst / baseline).toFixed(2)}×`, '—');
    report('  last 201 → last completed', `${(fromLast201 / 1000).toFixed(2)} s`, `${(fromLast201 / LATENCY_MS).toFixed(2)}× 2 s`, `≈ 1× (≤ 2 s + ${IN_FLIGHT_POLL_MS} ms polling)`);
    report('  all accepted by the gateway / all submitted upstream', `${((accepted - started) / 1000).toFixed(2)} / ${((upstreamAll - started) / 1000).toFixed(2)} s`, '', '—');
    report('  gateway CPU per job beyond its idle (intake, submit, polls, re-home)', `${((cpu * 1000) / inFlight).toFixed(2)} ms`, '', '—');
    report('  gateway idle CPU (background loops, these scrapes)', `${(idlePerMs * 1e6).toFixed(0)} ms/s`, '', '—');
    report('  upstream submits', String(fake.submits() - directSubmits), '', `= ${inFlight} (each once)`);
    report('  gateway RSS peak while in flight', `${(peak / 2 ** 20).toFixed(0)} MiB`, `${(peak / before).toFixed(2)}× idle`, 'bounded');
  } finally {
    await wide.stop();
    await fake.close();
  }
}
