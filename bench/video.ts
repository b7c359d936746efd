// Video render time end to end against ffmpeg encoding a plain testsrc of the same size and length, in the same run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnServer } from '../test/helpers/process.js';
import { VideoToolkit } from '../src/media/video/index.js';
import { percentile, report } from './measure.js';

const KEY = 'luma-api-bench-video-00000000000000000000';
const headers = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };

async function render(url: string, body: object): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${url}/v1/generations`, { method: 'POST', headers, body: JSON.stringify(body) });
  if (res.status !== 201) throw new Error(`POST ${res.status}: ${await res.text()}`);
  const { id } = await res.json();
  for (;;) {
    const g = await (await fetch(`${url}/v1/generations/${id}`, { headers })).json();
    if (g.state === 'completed') return performance.now() - started;
    if (g.state === 'failed') throw new Error(`generation failed: ${g.failure_reason}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The same encoder settings the engine uses (libx264 veryfast, CRF 18, yuv420p), on testsrc. */
async function baseline(kit: VideoToolkit, dir: string, width: number, height: number): Promise<number> {
  const started = performance.now();
  await kit.encode(['-f', 'lavfi', '-i', `testsrc=size=${width}x${height}:rate=24`, '-frames:v', '120', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-pix_fmt', 'yuv420p', '-y', path.join(dir, 'baseline.mp4')]);
  return performance.now() - started;
}

export async function videoScenario(runs = Number(process.env.BENCH_VIDEO_RUNS ?? 3)): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-bench-video-'));
  const kit = new VideoToolkit({ ffmpegPath: process.env.FFMPEG_PATH ?? '', ffprobePath: process.env.FFPROBE_PATH ?? '', envPath: process.env.PATH ?? '', concurrency: 1, timeoutMs: 600_000 });
  const server = await spawnServer(['--data-dir', dir, '--workers', '1', '--rpm', '0', '--max-concurrent', '0'], { ATELIER_API_KEYS: KEY, ATELIER_POLL_INTERVAL_MS: '20' });
  try {
    const sourceFile = path.join(dir, 'source.mp4');
    await kit.encode(['-f', 'lavfi', '-i', 'testsrc=size=1280x720:rate=24', '-frames:v', '120', '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-y', sourceFile]);
    const source = { data: fs.readFileSync(sourceFile).toString('base64'), media_type: 'video/mp4' };
    const scenarios = [
      { name: 'text-to-video 5s 720p (1280×720)', size: [1280, 720], body: (i: number) => ({ prompt: `A lighthouse in a storm #${i}`, model: 'ray-3.2', type: 'video' }) },
      { name: 'reframe 5s 16:9 → 9:16 720p (720×1280)', size: [720, 1280], body: (i: number) => ({ prompt: `More sky #${i}`, model: 'ray-3.2', type: 'video_reframe', aspect_ratio: '9:16', source }) },
    ] as const;
    for (const s of scenarios) {
      await render(server.url, s.body(-1)); // warm-up
      const ours: number[] = [];
      const theirs: number[] = [];
      for (let i = 0; i < runs; i++) {
        ours.push(await render(server.url, s.body(i)));
        theirs.push(await baseline(kit, dir, s.size[0], s.size[1]));
      }
      const [a, b] = [percentile(ours, 50), percentile(theirs, 50)];
      report(`${s.name} p50`, `${a.toFixed(0)} ms`, `${(a / b).toFixed(2)}×`, `≤ 2× testsrc (${b.toFixed(0)} ms)`);
    }
  } finally {
    server.child.kill('SIGKILL');
    await server.exited;
    kit.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
