// The dashboard: what a first load downloads, how soon the playground is usable, and the
// gallery over 10,000 generations (it pages: one page of thumbnails, never the whole list).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { launchBrowser } from '../test/helpers/browser.js';
import { spawnServer } from '../test/helpers/process.js';
import { BENCH_KEY, benchHeaders as headers } from './fixtures.js';
import { medianMs, report } from './measure.js';

const WEB = new URL('../web/', import.meta.url);

/** Compressed bytes of the JS and CSS that index.html loads. */
function firstLoadBytes(): { raw: number; gzip: number; brotli: number } {
  const html = fs.readFileSync(new URL('index.html', WEB), 'utf8');
  const assets = [...html.matchAll(/(?:src|href)="\/dashboard\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => new URL(m[1], WEB));
  const size = (file: URL) => fs.statSync(file).size;
  return {
    raw: assets.reduce((n, f) => n + size(f), 0),
    gzip: assets.reduce((n, f) => n + size(new URL(`${f.href}.gz`)), 0),
    brotli: assets.reduce((n, f) => n + size(new URL(`${f.href}.br`)), 0),
  };
}

/** 10,000 generations of the bench client, each showing the output of one real generation. */
async function seedGallery(url: string, dataDir: string, total: number): Promise<void> {
  const res = await fetch(`${url}/v1/generations`, { method: 'POST', headers, body: JSON.stringify({ prompt: 'gallery seed', aspect_ratio: '1:1' }) });
  const { id } = (await res.json()) as { id: string };
  for (let i = 0; i < 600; i++) {
    const g = (await (await fetch(`${url}/v1/generations/${id}`, { headers })).json()) as { state: string };
    if (g.state === 'completed') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const raw = new SqliteDatabase(path.join(dataDir, 'atelier.db'));
  const seed = raw.prepare('select * from generations where id = ?').get(id) as Record<string, unknown>;
  const insert = raw.prepare(
    `insert into generations (id, client_id, api_key_id, type, model, state, request, user_id, output, price_micros, created_at, updated_at)
     values (?, ?, ?, 'image', 'uni-1', 'completed', ?, null, ?, ?, ?, ?)`,
  );
  const start = Number(seed.created_at) - total * 60_000;
  raw.transaction(() => {
    for (let i = 0; i < total; i++) {
      const at = start + i * 60_000;
      // Ids sort by time as the server's do (time-ordered UUIDs): the gallery's keyset follows them.
      const hex = at.toString(16).padStart(12, '0');
      const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7000-8000-${i.toString(16).padStart(12, '0')}`;
      insert.run(id, seed.client_id, seed.api_key_id, seed.request, seed.output, seed.price_micros, at, at);
    }
  })();
  raw.close();
}

export async function dashboardScenario(total: number): Promise<void> {
  if (!fs.existsSync(new URL('index.html', WEB))) {
    report('dashboard', 'not built', '', 'npm run build:web');
    return;
  }
  const bytes = firstLoadBytes();
  report('dashboard first load, JS+CSS brotli', `${(bytes.brotli / 1024).toFixed(1)} KiB`, `${(bytes.brotli / bytes.raw).toFixed(2)}× raw`, '≤ 100 KiB');
  report('dashboard first load, JS+CSS gzip', `${(bytes.gzip / 1024).toFixed(1)} KiB`, `${(bytes.gzip / bytes.raw).toFixed(2)}× raw`, '—');

  const browser = await launchBrowser();
  if (typeof browser === 'string') {
    report('dashboard in the browser', 'skipped', '', browser);
    return;
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-bench-web-'));
  const server = await spawnServer(['--data-dir', dataDir, '--workers', '1', '--rpm', '0', '--max-concurrent', '0'], { ATELIER_API_KEYS: BENCH_KEY });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${server.url}/healthz`);
    // Baseline: a navigation to a tiny JSON document of the same server, in the same browser.
    const blank = await medianMs(5, () => page.goto(`${server.url}/healthz`));
    const usable = await medianMs(5, async () => {
      await page.evaluate(() => sessionStorage.clear());
      await page.goto(`${server.url}/dashboard/`);
      await page.getByLabel('API key or admin token').fill(BENCH_KEY);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('button', { name: 'Generate' }).waitFor();
    });
    report('dashboard: sign-in page to usable playground', `${usable.toFixed(0)} ms`, `${(usable / blank).toFixed(1)}× nav`, '≤ 1000 ms');

    await seedGallery(server.url, dataDir, total);
    const one = await medianMs(20, () => fetch(`${server.url}/v1/generations?limit=1`, { headers }).then((r) => r.arrayBuffer()));
    let listed = 0;
    const pageMs = await medianMs(20, async () => {
      const body = (await (await fetch(`${server.url}/v1/generations?limit=24`, { headers })).json()) as { data: unknown[] };
      listed = body.data.length;
    });
    report(`list: a page of ${listed} of ${total + 1} generations`, `${pageMs.toFixed(1)} ms`, `${(pageMs / one).toFixed(1)}× 1 item`, 'flat in the total');

    // A gallery tile loads the output's thumbnail, made on its first request and read from the blob store after.
    const newest = (await (await fetch(`${server.url}/v1/generations?limit=1`, { headers })).json()) as {
      data: Array<{ id: string; output: Array<{ url: string }> }>;
      thumbnails: Record<string, Array<string | null>>;
    };
    const output = (await (await fetch(newest.data[0].output[0].url)).arrayBuffer()).byteLength;
    const thumbnailUrl = newest.thumbnails[newest.data[0].id][0]!;
    const started = performance.now();
    const thumbnail = (await (await fetch(thumbnailUrl)).arrayBuffer()).byteLength;
    const made = performance.now() - started;
    const outputMs = await medianMs(10, () => fetch(newest.data[0].output[0].url).then((r) => r.arrayBuffer()));
    const cached = await medianMs(10, () => fetch(thumbnailUrl).then((r) => r.arrayBuffer()));
    report('gallery tile: thumbnail bytes', `${(thumbnail / 1024).toFixed(1)} KiB`, `${(thumbnail / output).toFixed(3)}× output`, 'small');
    report('thumbnail: first request (made)', `${made.toFixed(0)} ms`, `${(made / outputMs).toFixed(1)}× output`, '—');
    report('thumbnail: later requests (kept)', `${cached.toFixed(1)} ms`, `${(cached / outputMs).toFixed(2)}× output`, '≤ 1× output');
    const requested: string[] = [];
    page.on('request', (r) => void (r.url().includes('/v1/generations?') && requested.push(r.url())));
    const gallery = await medianMs(3, async () => {
      await page.goto(`${server.url}/dashboard/#/playground`);
      await page.getByRole('button', { name: 'Generate' }).waitFor();
      await page.getByRole('link', { name: 'Generations' }).click();
      await page.locator('.gallery .tile img').nth(23).waitFor();
    });
    const older = await medianMs(3, async () => {
      const first = await page.locator('.gallery .tile').first().getAttribute('href');
      await page.getByRole('button', { name: 'Older' }).click();
      await page.waitForFunction((href) => document.querySelector('.gallery .tile')?.getAttribute('href') !== href, first);
    });
    const biggest = Math.max(...requested.map((u) => Number(new URL(u).searchParams.get('limit'))));
    report(`gallery over ${total} generations: first page`, `${gallery.toFixed(0)} ms`, `${(gallery / usable).toFixed(2)}× playground`, `pages of ${biggest}`);
    report('gallery: next page', `${older.toFixed(0)} ms`, `${(older / blank).toFixed(1)}× nav`, '—');
    await context.close();
  } finally {
    await browser.close();
    server.child.kill('SIGKILL');
    await server.exited;
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
