// Main-thread instructions per request under callgrind: unlike req/s, the same on a busy machine.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { BENCH_KEY, benchHeaders as headers, submitBody } from './fixtures.js';
import { report } from './measure.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const CONNECTIONS = 16;

interface Load {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
}

function request(port: number, agent: http.Agent, load: Load): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: load.path, method: load.method, headers, agent }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk) => (text += chunk));
      res.on('end', () => (res.statusCode! < 300 ? resolve(text) : reject(new Error(`${load.method} ${load.path}: ${res.statusCode} ${text}`))));
    });
    req.on('error', reject).end(load.body);
  });
}

async function drive(port: number, agent: http.Agent, load: Load, total: number): Promise<void> {
  let sent = 0;
  await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
    while (sent++ < total) await request(port, agent, load);
  }));
}

/**
 * Starts `args` (a node script and its arguments) under callgrind with counting off, warms it up,
 * then counts `total` requests of the load that `setup` returns. Counting the main thread only keeps
 * V8's background compiler and GC helpers out.
 */
async function instructionsPerRequest(args: string[], setup: (port: number, agent: http.Agent) => Promise<Load>, total: number): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-bench-callgrind-'));
  const child = spawn('valgrind', ['--tool=callgrind', '--instr-atstart=no', '--separate-threads=yes', `--callgrind-out-file=${dir}/out`, process.execPath, ...args], {
    env: { ...process.env, ATELIER_API_KEYS: BENCH_KEY, ATELIER_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`valgrind exited with ${code}`)));
      readline.createInterface({ input: child.stdout! }).on('line', (line) => {
        if (line.includes('"atelier listening"')) resolve(Number(new URL(JSON.parse(line).address).port));
      });
    });
    const load = await setup(port, agent);
    await drive(port, agent, load, 4 * total); // until the JIT has settled
    const control = (...flags: string[]) => execFileSync('callgrind_control', [...flags, String(child.pid)], { stdio: 'ignore' });
    control('-i', 'on');
    await drive(port, agent, load, total);
    control('-i', 'off');
    control('-d');
    const main = fs.readdirSync(dir).find((file) => file.endsWith('-01'))!;
    const totals = /^totals: (\d+)/m.exec(fs.readFileSync(path.join(dir, main), 'utf8'));
    return Number(totals![1]) / total;
  } finally {
    agent.destroy();
    child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function instructionsScenario(total: number): Promise<void> {
  if (spawnSync('valgrind', ['--version']).status !== 0) {
    report('instructions per request (callgrind)', 'skipped', '', 'valgrind is not installed');
    return;
  }
  const submit: Load = { method: 'POST', path: '/v1/generations', body: submitBody };
  const bare = (load: Load) => instructionsPerRequest([path.join(here, 'bare-server.js')], async () => load, total);
  const bareGet = await bare({ method: 'GET', path: '/' });
  const barePost = await bare(submit);
  const atelier = async (setup: (port: number, agent: http.Agent) => Promise<Load>) => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-bench-'));
    const args = [path.join(here, '../src/cli/atelier.js'), 'serve', '--port', '0', '--workers', '0', '--rpm', '0', '--max-concurrent', '0', '--data-dir', dataDir];
    try {
      return await instructionsPerRequest(args, setup, total);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  };
  const get = await atelier(async (port, agent) => ({ method: 'GET', path: `/v1/generations/${JSON.parse(await request(port, agent, submit)).id}` }));
  const post = await atelier(async () => submit);
  const k = (n: number) => `${(n / 1000).toFixed(0)}k instr`;
  report('bare node:http, GET (main thread)', k(bareGet), '1.00×', 'baseline of GET (callgrind)');
  report('GET /v1/generations/{id} (main thread)', k(get), `${(bareGet / get).toFixed(2)}×`, '— (≥ 0.50× above, in req/s)');
  report('bare node:http, same POSTs (main thread)', k(barePost), '1.00×', 'baseline of POST (callgrind)');
  report('POST /v1/generations (main thread)', k(post), `${(barePost / post).toFixed(2)}×`, '— (≥ 0.25× above, in req/s)');
}
