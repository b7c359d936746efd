// Large bodies: /healthz latency while 4 clients (4 keys) keep sending 100 MB JSON bodies, against the
// same server idle, in the same run. Runs inside `npm run bench` (skip with BENCH_LARGE_BODIES=0) or
// alone: node dist/bench/large-bodies.js
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { spawnServer } from '../test/helpers/process.js';
import { percentile, report } from './measure.js';

const KEYS = [1, 2, 3, 4].map((i) => `luma-api-bench-large-${i}-000000000000000000`);
const MB = 1024 * 1024;

/** About 100 MB: two refs of JPEG-looking bytes declared as PNG, refused with a 422 once decoded. */
function largeBody(): Buffer {
  const ref = (size: number) => {
    const bytes = Buffer.alloc(size, 7);
    bytes.set([0xff, 0xd8, 0xff, 0xe0]);
    return { data: bytes.toString('base64'), media_type: 'image/png' };
  };
  return Buffer.from(JSON.stringify({ prompt: 'large', image_ref: [ref(40 * MB), ref(34 * MB)] }));
}

/** One sender per key, in a thread of its own so its writes don't share the measuring event loop. */
async function sender(): Promise<void> {
  const { url, key, shared, rounds } = workerData as { url: string; key: string; shared: SharedArrayBuffer; rounds: number };
  const body = Buffer.from(shared);
  const agent = new http.Agent({ keepAlive: true });
  const statuses: Record<number, number> = {};
  for (let i = 0; i < rounds; i++) {
    const status = await new Promise<number>((resolve) => {
      const req = http.request(`${url}/v1/generations`, {
        method: 'POST',
        agent,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-length': body.length },
      });
      req.on('response', (res) => res.resume().on('end', () => resolve(res.statusCode ?? 0)));
      req.on('error', () => resolve(0));
      req.end(body);
    });
    statuses[status] = (statuses[status] ?? 0) + 1;
  }
  parentPort!.postMessage(statuses);
}

/** The server's own event-loop delay since the last scrape (prom-client resets it on each), in ms. */
async function loopDelay(url: string): Promise<{ p99: number; max: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const read = (name: string) => 1000 * Number(new RegExp(`^atelier_nodejs_eventloop_lag_${name}_seconds ([0-9.e+-]+)`, 'm').exec(text)?.[1] ?? NaN);
  return { p99: read('p99'), max: read('max') };
}

async function healthzTimes(url: string, more: () => boolean): Promise<number[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const times: number[] = [];
  while (more()) {
    const started = performance.now();
    await new Promise<void>((resolve, reject) =>
      http.get(`${url}/healthz`, { agent }, (res) => res.resume().on('end', resolve)).on('error', reject),
    );
    times.push(performance.now() - started);
    await new Promise((r) => setTimeout(r, 5));
  }
  agent.destroy();
  return times;
}

export async function largeBodiesScenario(rounds = Number(process.env.BENCH_LARGE_BODY_ROUNDS ?? 3)): Promise<void> {
  const body = largeBody();
  const shared = new SharedArrayBuffer(body.length);
  Buffer.from(shared).set(body);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-bench-'));
  const server = await spawnServer(['--data-dir', dataDir, '--workers', '0', '--rpm', '0', '--max-concurrent', '0'], {
    ATELIER_API_KEYS: KEYS.join(','),
  });
  try {
    const idleUntil = Date.now() + 2000;
    await loopDelay(server.url);
    const idle = await healthzTimes(server.url, () => Date.now() < idleUntil);
    const idleLoop = await loopDelay(server.url);
    // Each sender sends `rounds` bodies one after another; /healthz is timed until all are answered.
    const senders = KEYS.map((key) => new Worker(new URL(import.meta.url), { workerData: { url: server.url, key, shared, rounds } }));
    let running = senders.length;
    const done = senders.map((w) => new Promise<Record<number, number>>((resolve) => w.once("message", (m) => { running--; resolve(m); })));
    const loaded = await healthzTimes(server.url, () => running > 0);
    const loadedLoop = await loopDelay(server.url);
    const statuses = (await Promise.all(done)).reduce<Record<string, number>>((all, s) => {
      for (const [status, n] of Object.entries(s)) all[status] = (all[status] ?? 0) + n;
      return all;
    }, {});
    const idleP99 = percentile(idle, 99);
    const p99 = percentile(loaded, 99);
    report('/healthz p99, idle', `${idleP99.toFixed(1)} ms`, '1.00×', 'baseline');
    report('/healthz p99, 4 clients sending 100 MB bodies', `${p99.toFixed(1)} ms`, `${(p99 / idleP99).toFixed(1)}×`, '< 50 ms');
    report('server event-loop delay max, idle', `${idleLoop.max.toFixed(1)} ms`, '1.00×', 'baseline');
    report('server event-loop delay max, under the bodies', `${loadedLoop.max.toFixed(1)} ms`, `${(loadedLoop.max / idleLoop.max).toFixed(1)}×`, '< 50 ms');
    report(`  ${KEYS.length * rounds} bodies of ${(body.length / MB).toFixed(0)} MB (status: count)`, JSON.stringify(statuses), '', '—');
  } finally {
    server.child.kill('SIGKILL');
    await server.exited;
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (!isMainThread) await sender();
else if (import.meta.url === pathToFileURL(process.argv[1]).href) await largeBodiesScenario();
