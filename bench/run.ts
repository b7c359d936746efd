// npm run bench: Atelier against a bare node:http server, measured in the same run.
// autocannon runs in this process: the same fix as the server's keeps the load generator's speed steady.
import '../src/tick-shape.js';
import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { spawnServer, type ServerProcess } from '../test/helpers/process.js';
import { interleavedRates, percentile, report, throughput, timings } from './measure.js';
import { spawn } from 'node:child_process';
import readline from 'node:readline';
import { usageScenario } from './usage.js';
import { videoScenario } from './video.js';
import { layeringScenario } from './layering.js';
import { moderationScenario } from './moderation.js';
import { instructionsScenario } from './instructions.js';
import { largeBodiesScenario } from './large-bodies.js';
import { dashboardScenario } from './dashboard.js';
import { extensionsScenario } from './extensions.js';
import { gatewayScenario } from './gateway.js';
import { scaleScenario } from './scale.js';
import { BENCH_KEY, benchHeaders as headers, submitBody as submit } from './fixtures.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const seconds = Number(process.env.BENCH_SECONDS ?? 5);

/** A reference server of bench/ (bare-server.js, fastify-server.js) as a child process. */
function referenceServer(file: string): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, [path.join(here, file)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) => {
    readline.createInterface({ input: child.stdout! }).once('line', (line) => {
      resolve({ url: JSON.parse(line).address, stop: () => child.kill() });
    });
  });
}

async function atelier(workers: number, env: NodeJS.ProcessEnv = {}): Promise<ServerProcess & { dataDir: string; stop(): Promise<void> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-bench-'));
  const server = await spawnServer(['--data-dir', dataDir, '--workers', String(workers), '--rpm', '0', '--max-concurrent', '0'], {
    ATELIER_API_KEYS: BENCH_KEY,
    ATELIER_LOG_LEVEL: 'info',
    ATELIER_POLL_INTERVAL_MS: '20',
    ...env,
  });
  return {
    ...server,
    dataDir,
    async stop() {
      server.child.kill('SIGKILL');
      await server.exited;
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function post(url: string, body: object): Promise<string> {
  const res = await fetch(`${url}/v1/generations`, { method: 'POST', headers, body: JSON.stringify(body) });
  if (res.status !== 201) throw new Error(`POST ${res.status}: ${await res.text()}`);
  return (await res.json()).id;
}

async function endToEnd(url: string, body: object, runs: number): Promise<number[]> {
  let run = 0;
  return timings(runs, async () => {
    const id = await post(url, { ...body, prompt: `${(body as { prompt: string }).prompt} #${run++}` });
    for (;;) {
      const state = (await (await fetch(`${url}/v1/generations/${id}`, { headers })).json()).state;
      if (state === 'completed') return;
      if (state === 'failed') throw new Error('generation failed');
      await new Promise((r) => setTimeout(r, 5));
    }
  });
}

async function rss(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^atelier_process_resident_memory_bytes (\d+)/m.exec(text)?.[1] ?? NaN);
}

const rounds = Number(process.env.BENCH_ROUNDS ?? 3);

let postRate = 0;
const bare = await referenceServer('bare-server.js');
const fastify = await referenceServer('fastify-server.js');
const api = await atelier(0);
try {
  process.stdout.write(`Atelier benchmark (${os.cpus().length} cores, ${rounds} rounds of ${seconds}s per load, 32 connections, medians)\n\n`);
  const id = await post(api.url, { prompt: 'bench' });
  // Each ratio holds the load fixed and changes only the server: POSTs are compared with the bare
  // server taking the same POSTs, whose bodies cost the load generator and the parser more.
  const loads = {
    bare: { url: bare.url },
    barePost: { url: bare.url, method: 'POST' as const, headers, body: submit },
    fastify: { url: `${fastify.url}/v1/generations/${id}` },
    get: { url: `${api.url}/v1/generations/${id}`, headers },
    post: { url: `${api.url}/v1/generations`, method: 'POST' as const, headers, body: submit },
  };
  const measured = await interleavedRates(loads, rounds, seconds);
  const { rate, ratio } = measured;
  report('bare node:http, fixed JSON, GET', rate('bare'), '1.00×', 'baseline of GET');
  report('reference: minimal Fastify route, same JSON', rate('fastify'), ratio('fastify', 'bare'), '— (the framework alone)');
  report('GET /v1/generations/{id}', rate('get'), ratio('get', 'bare'), '≥ 0.50×');
  report('bare node:http, fixed JSON, same POSTs', rate('barePost'), '1.00×', 'baseline of POST');
  postRate = measured.median('post');
  report('POST /v1/generations (limits off)', rate('post'), ratio('post', 'barePost'), '≥ 0.25×');
} finally {
  bare.stop();
  fastify.stop();
  await api.stop();
}

const metered = await atelier(0, { ATELIER_CREDITS: '1000000000' });
try {
  const load = { url: `${metered.url}/v1/generations`, method: 'POST' as const, headers, body: submit };
  await throughput({ ...load, seconds: 1 });
  const postMetered = await throughput({ ...load, seconds });
  report('POST with accounting (hold + ledger)', `${postMetered.toFixed(0)} req/s`, `${(postMetered / postRate).toFixed(2)}× off`, 'close to 1×');
} finally {
  await metered.stop();
}

if (process.env.BENCH_INSTRUCTIONS !== '0') await instructionsScenario(Number(process.env.BENCH_INSTRUCTION_REQUESTS ?? 2500));

await usageScenario(Number(process.env.BENCH_USAGE_ROWS ?? 1_000_000));

if (process.env.BENCH_LARGE_BODIES !== '0') await largeBodiesScenario();

if (process.env.BENCH_LAYERING !== '0') await layeringScenario();
await moderationScenario();

const render = await atelier(2);
try {
  for (const [name, body] of [
    ['preview 1:1 PNG (2048×2048)', { prompt: 'A white cat wearing a tiny crown', aspect_ratio: '1:1', output_format: 'png' }],
    ['preview 16:9 JPEG (2784×1504)', { prompt: 'A neon-lit Tokyo alley in the rain', aspect_ratio: '16:9', output_format: 'jpeg' }],
  ] as const) {
    await endToEnd(render.url, body, 3); // warm-up
    const times = await endToEnd(render.url, body, Number(process.env.BENCH_RENDERS ?? 30));
    report(`${name} p50`, `${percentile(times, 50).toFixed(0)} ms`, '', '≤ 300 ms');
    report(`${name} p99`, `${percentile(times, 99).toFixed(0)} ms`, '', '—');
  }
} finally {
  await render.stop();
}

await videoScenario();

await dashboardScenario(Number(process.env.BENCH_GALLERY ?? 10_000));

if (process.env.BENCH_EXTENSIONS !== '0') await extensionsScenario();
if (process.env.BENCH_GATEWAY !== '0') await gatewayScenario();
if (process.env.BENCH_SCALE !== '0') await scaleScenario();

const memory = await atelier(0);
try {
  const before = await rss(memory.url);
  const total = Number(process.env.BENCH_GENERATIONS ?? 10_000);
  for (let i = 0; i < total; i += 50) {
    await Promise.all(
      Array.from({ length: 50 }, async (_, j) => {
        const id = await post(memory.url, { prompt: `memory ${i + j}` });
        await (await fetch(`${memory.url}/v1/generations/${id}`, { headers })).arrayBuffer();
      }),
    );
  }
  const after = await rss(memory.url);
  report(`RSS after ${total} generations (submit + get)`, `${(after / 2 ** 20).toFixed(0)} MiB`, `${(after / before).toFixed(2)}× start`, 'bounded');
} finally {
  await memory.stop();
}
