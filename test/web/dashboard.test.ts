import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { dashboardPolicy } from '../../src/api/routes/dashboard.js';
import { solidImage } from '../helpers/images.js';
import { accessibilityProblems, launchBrowser, watchProblems } from '../helpers/browser.js';
import { generate, KEY_A, startTestServer, waitForGeneration, type TestServer } from '../helpers/server.js';

const ADMIN = 'dashboard-admin-token-0123456789';
// `npm run screenshots` refreshes the README's pictures; other runs write them aside, so a test run
// never dirties the work tree (it blocked fast-forward merges into main).
const SHOTS = process.env.ATELIER_SCREENSHOTS
  ? new URL('../../../docs/img/', import.meta.url)
  : new URL(`file://${fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-shots-'))}/`);
const TIMEOUT = 20_000;
const DASHBOARD = new URL('../../web/', import.meta.url);

let ts: TestServer;
let browser: Browser | null = null;
/** Why the tests that need the built dashboard, or a browser, are skipped. */
let notBuilt: string | null = null;
let noBrowser: string | null = null;

before(async () => {
  if (!fs.existsSync(new URL('index.html', DASHBOARD))) {
    notBuilt = 'the dashboard is not built (npm run build:web; npm ci and npm test build it): dashboard tests skipped';
    return;
  }
  ts = await startTestServer({ workers: '2', clock: 'virtual', adminToken: ADMIN });
  const launched = await launchBrowser();
  if (typeof launched === 'string') noBrowser = launched;
  else browser = launched;
});

after(async () => {
  await browser?.close();
  await ts?.close();
  if (!process.env.ATELIER_SCREENSHOTS) fs.rmSync(SHOTS, { recursive: true, force: true });
});

/**
 * Runs `steps` in a fresh browser context, then fails on any console error, page error, failed
 * request or error response except the `expected` ones. Skips, saying why, without a browser.
 */
async function inBrowser(
  t: { skip(message: string): void },
  steps: (page: Page) => Promise<void>,
  options: { viewport?: { width: number; height: number }; expected?: Array<{ status: number; path: string }> } = {},
): Promise<void> {
  if (notBuilt || !browser) return t.skip(notBuilt ?? noBrowser ?? 'no browser');
  const context: BrowserContext = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 900 }, colorScheme: 'light', reducedMotion: 'reduce' });
  context.setDefaultTimeout(TIMEOUT);
  try {
    const page = await context.newPage();
    const problems = watchProblems(page, options.expected);
    await steps(page);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
}

/** Every page the tests photograph is also checked for serious accessibility violations. */
async function shot(page: Page, name: string) {
  assert.deepEqual(await accessibilityProblems(page), [], `accessibility of ${name}`);
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: new URL(`dashboard-${name}.png`, SHOTS).pathname, fullPage: false });
}

async function signIn(page: Page, token: string) {
  await page.goto(`${ts.url}/`);
  await page.getByLabel('API key or admin token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

test('the dashboard is served at /dashboard/ with a strict CSP, and / redirects there', async (t) => {
  if (notBuilt) return t.skip(notBuilt);
  const root = await fetch(`${ts.url}/`, { redirect: 'manual' });
  assert.equal(root.status, 302);
  assert.equal(root.headers.get('location'), '/dashboard/');
  const page = await fetch(`${ts.url}/dashboard/`, { headers: { 'accept-encoding': 'br' } });
  assert.equal(page.status, 200);
  const csp = page.headers.get('content-security-policy') ?? '';
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.equal(page.headers.get('content-encoding'), 'br');
  const html = await page.text();
  assert.doesNotMatch(html, /<script>(?!<\/script>)|<style|https?:\/\//, 'no inline code and nothing from another origin');
});

test('outputs minted on ATELIER_PUBLIC_URL may show in the page: its origin joins img-src and media-src only', () => {
  const policy = dashboardPolicy('https://atelier.example.com/base');
  assert.match(policy, /img-src 'self' blob: data: https:\/\/atelier\.example\.com;/);
  assert.match(policy, /media-src 'self' blob: data: https:\/\/atelier\.example\.com;/);
  assert.match(policy, /connect-src 'self';/);
  assert.doesNotMatch(dashboardPolicy(), /example/);
});

test('a client signs in, is stopped by the server rules in the page, submits, watches the job complete and opens the output', async (t) =>
  inBrowser(t, async (page) => {
    const streams: string[] = [];
    page.on('request', (r) => void (new URL(r.url()).pathname === '/v1/events' && streams.push(r.headers().authorization ?? '')));
    await signIn(page, KEY_A);
    await page.getByRole('heading', { name: 'Playground' }).waitFor();

    // Client-side: the spec's exact detail, before any request is sent.
    await page.getByRole('button', { name: 'Generate' }).click();
    await page.locator('#form-problem').getByText('Prompt must be between 1 and 6000 characters').waitFor();
    await page.getByLabel('Type').selectOption('image_edit');
    await page.getByLabel('Prompt').fill('make it <b>blue</b>');
    await page.locator('#form-problem').getByText("source is required for type 'image_edit'").waitFor();

    // Server-side: a rule only the server can check shows its detail as sent.
    await page.getByRole('radio', { name: 'Earlier generation' }).check();
    const missing = '00000000-0000-4000-8000-000000000000';
    await page.getByLabel('Generation id').fill(missing);
    await page.getByRole('button', { name: 'Generate' }).click();
    await page.locator('#server-error').getByText(`source: generation ${missing} not found`).waitFor();

    // An uploaded source: POST /v1/files, then referenced by file_id.
    await page.getByRole('radio', { name: 'Upload' }).check();
    await page.getByLabel('Image file').setInputFiles({ name: 'red.png', mimeType: 'image/png', buffer: await solidImage(64, 48, 'png', { r: 200, g: 30, b: 30 }) });
    await page.getByText('red.png: ready').waitFor();
    await page.getByRole('button', { name: 'Generate' }).click();
    const edited = page.locator('article.generation').first();
    await edited.locator('.badge.state-completed, .badge.state-failed').waitFor();
    assert.equal(await edited.locator('.badge').textContent(), 'completed', (await edited.locator('.error').allTextContents()).join(' '));
    await edited.locator('.outputs img').first().waitFor();

    await page.getByLabel('Type').selectOption('image');
    await page.getByLabel('Prompt').fill('A lighthouse at dusk, <script>alert(1)</script> in oils');
    await page.getByLabel('Aspect ratio').selectOption('16:9');
    await page.getByLabel('user_id').fill('user-42');
    await page.getByRole('button', { name: 'Generate' }).click();

    const panel = page.locator('article.generation').filter({ hasText: 'A lighthouse at dusk' });
    await panel.locator('[data-state="completed"], .badge.state-completed').first().waitFor();
    const img = panel.locator('.outputs img').first();
    await img.waitFor();
    await page.waitForFunction((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth > 0, await img.elementHandle());
    // Followed live on the client's one event stream, which carries the key as a header, not in its URL.
    assert.deepEqual([...new Set(streams)], [`Bearer ${KEY_A}`]);
    // User text is text: the prompt's markup is shown, not run.
    assert.equal(await panel.locator('.prompt').textContent(), 'A lighthouse at dusk, <script>alert(1)</script> in oils');
    await panel.getByRole('tab', { name: 'luma-agents-cli' }).click();
    assert.match(await panel.locator('pre code').textContent() ?? '', /luma-agents-cli generations create[\s\S]*--aspect-ratio '16:9'/);
    await panel.getByRole('tab', { name: 'curl' }).click();
    await shot(page, 'playground');

    const src = await img.getAttribute('src');
    const output = await page.request.get(src!);
    assert.equal(output.status(), 200);
    assert.equal(output.headers()['content-type'], 'image/png');

    await panel.getByRole('link', { name: 'Details' }).click();
    await page.getByRole('heading', { name: 'Facts' }).waitFor();
    await page.locator('dl.facts').getByText('user-42').waitFor();
    await page.locator('.detail .outputs img').first().waitFor();
    await shot(page, 'detail');
  }, { expected: [{ status: 422, path: '/v1/generations' }] }));

test('the gallery shows thumbnails, filters by state and user, and opens a generation', async (t) =>
  inBrowser(t, async (page) => {
    const kept = await generate(ts, { prompt: 'gallery: a harbour at noon', aspect_ratio: '3:2', user_id: 'gallery-user' });
    await generate(ts, { prompt: 'gallery: square', aspect_ratio: '1:1' });
    const failed = await ts.call('POST', '/v1/generations', { body: { prompt: 'gallery: doomed' }, headers: { 'x-atelier-fault': 'generation_failed' } });
    assert.equal(failed.status, 201);
    await waitForGeneration(ts, (await failed.json()).id);

    await signIn(page, KEY_A);
    const images: Array<{ path: string; bytes: number }> = [];
    page.on('response', (r) => {
      if (r.request().resourceType() === 'image') void r.body().then((b) => images.push({ path: new URL(r.url()).pathname, bytes: b.length }), () => {});
    });
    await page.getByRole('link', { name: 'Generations' }).click();
    await page.locator('.gallery .tile img').nth(1).waitFor();
    // Every picture the gallery loads is a thumbnail: a small WebP, never the full-size output.
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('.gallery img')].every((i) => i.complete && i.naturalWidth > 0));
    const sizes = await page.locator('.gallery img').evaluateAll((els) => els.map((e) => [(e as HTMLImageElement).naturalWidth, (e as HTMLImageElement).naturalHeight]));
    assert.ok(sizes.length >= 3 && sizes.every(([w, h]) => Math.min(w, h) <= 384), JSON.stringify(sizes));
    assert.ok(images.length >= 3 && images.every((i) => i.path.startsWith('/v1/thumbnails/') && i.bytes < 40_000), JSON.stringify(images));
    await page.getByLabel('State').selectOption('failed');
    await page.locator('.gallery .tile').filter({ hasText: 'generation_failed' }).first().waitFor();
    await page.waitForFunction(() => [...document.querySelectorAll('.gallery .tile .badge')].every((b) => b.textContent === 'failed'));
    await page.getByLabel('State').selectOption('');
    await page.getByLabel('user_id').fill('gallery-user');
    await page.getByLabel('user_id').press('Enter');
    await page.waitForFunction(() => document.querySelectorAll('.gallery .tile').length === 1);
    await page.getByLabel('user_id').fill('');
    await page.getByLabel('user_id').press('Enter');
    await page.locator('.gallery .tile').nth(2).waitFor();
    await page.locator(`.gallery a[href="#/generations/${kept.id}"]`).click();
    await page.locator('dl.facts').getByText('gallery-user').waitFor();
  }));

test('a ray-3.2 video shows its poster in the gallery, loads nothing more until played, and plays in the detail view', async (t) =>
  inBrowser(t, async (page) => {
    const video = await generate(ts, { prompt: 'a slow pan over hills', model: 'ray-3.2', type: 'video', aspect_ratio: '16:9', video: { resolution: '360p' } });
    assert.equal(video.state, 'completed');
    const media: string[] = [];
    page.on('request', (r) => void (r.resourceType() === 'media' && media.push(new URL(r.url()).pathname)));
    const isPoster = (url: string) => new URL(url).pathname === `/v1/thumbnails/generations/${video.id}/output-0.mp4`;

    await signIn(page, KEY_A);
    const poster = page.waitForResponse((r) => isPoster(r.url()));
    await page.getByRole('link', { name: 'Generations' }).click();
    const tile = page.locator(`.gallery a[href="#/generations/${video.id}"] video`);
    await tile.waitFor();
    assert.ok(isPoster(new URL((await tile.getAttribute('poster')) ?? '', ts.url).href));
    const shown = await poster;
    assert.deepEqual([shown.status(), shown.headers()['content-type']], [200, 'image/webp']);
    assert.ok((await shown.body()).length < 40_000);
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await shot(page, 'generations');
    assert.deepEqual(media, [], 'the clip itself waits for a hover');

    await page.locator(`.gallery a[href="#/generations/${video.id}"]`).click();
    const player = page.locator('.detail .outputs video');
    await player.waitFor();
    await page.waitForFunction((el) => (el as HTMLVideoElement).readyState >= 1, await player.elementHandle());
    const facts = await player.evaluate(async (el) => {
      const v = el as HTMLVideoElement;
      v.muted = true;
      await v.play();
      await new Promise<void>((resolve) => v.addEventListener('timeupdate', () => v.currentTime > 0.2 && resolve()));
      v.pause();
      return { width: v.videoWidth, height: v.videoHeight, duration: Math.round(v.duration), error: v.error?.code ?? null };
    });
    assert.deepEqual(facts, { width: 640, height: 360, duration: 5, error: null });
  }));

test('the operator creates a client, a key shown once, credits it, sees the queue and advances the virtual clock', async (t) =>
  inBrowser(t, async (page) => {
    await signIn(page, ADMIN);
    await page.getByRole('heading', { name: 'Queue' }).waitFor();
    await page.getByTestId('queued').waitFor();
    // This server's own process reports in, alive.
    await page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: /^serve / }) }).getByText('alive').waitFor();
    await shot(page, 'queue');

    // Every client's generations, with whose they are.
    await page.getByRole('link', { name: 'Generations' }).click();
    await page.getByLabel('Client').waitFor();
    await page.locator('.gallery .tile img').first().waitFor();
    await page.locator('.gallery .tile').first().click();
    await page.locator('dl.facts').getByText('Client').waitFor();

    await page.getByRole('link', { name: 'Administration' }).click();
    await page.getByLabel('Name').fill('Acme Studio');
    await page.getByLabel('Starting credits (USD)').fill('5');
    await page.getByRole('button', { name: 'Create client' }).click();
    const key = (await page.locator('form[aria-labelledby="create-client-title"]').getByTestId('new-key').textContent()) ?? '';
    assert.match(key, /^luma-api-/);
    await page.getByRole('button', { name: 'Acme Studio' }).click();
    await page.getByTestId('client-balance').getByText('$5.00').waitFor();
    await page.getByLabel('Amount (USD)').fill('10');
    await page.getByLabel('Reason').fill('welcome <b>bonus</b>');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByTestId('client-balance').getByText('$15.00').waitFor();
    await page.getByRole('cell', { name: 'welcome <b>bonus</b>' }).waitFor();
    await page.getByRole('button', { name: 'Create key' }).click();
    const second = (await page.locator('section[aria-labelledby="client-title"]').getByTestId('new-key').textContent()) ?? '';
    assert.match(second, /^luma-api-/);
    assert.notEqual(second, key);
    await shot(page, 'admin');

    // The new key works against the public API.
    const res = await fetch(`${ts.url}/v1/usage`, { headers: { authorization: `Bearer ${second}` } });
    assert.equal(res.status, 200);

    await page.getByRole('link', { name: 'Emulator' }).click();
    await page.getByTestId('clock-now').filter({ hasText: 'UTC' }).waitFor();
    // The latency profile changes at runtime: a generation submitted now waits out its minute on the virtual clock.
    await page.getByLabel('Profile', { exact: true }).selectOption('fixed');
    await page.getByLabel('Duration (ms)').fill('60000');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('Latency profile: fixed:60000.').waitFor();
    await page.getByTestId('latency').getByText('fixed:60000').waitFor();
    const slow = await (await ts.call('POST', '/v1/generations', { body: { prompt: 'a minute on the virtual clock' } })).json();
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await (await ts.call('GET', `/v1/generations/${slow.id}`)).json()).state, 'queued');
    const before = (await page.getByTestId('clock-now').textContent()) ?? '';
    await page.getByLabel('Seconds').fill('7200');
    await page.getByRole('button', { name: 'Advance' }).click();
    await page.getByText('Clock moved forward 7200 s.').waitFor();
    const afterText = (await page.getByTestId('clock-now').textContent()) ?? '';
    assert.equal(Date.parse(afterText.replace(' UTC', 'Z').replace(' ', 'T')) - Date.parse(before.replace(' UTC', 'Z').replace(' ', 'T')), 7_200_000);
    assert.equal((await waitForGeneration(ts, slow.id)).state, 'completed', 'its minute has passed');
    await page.getByLabel('Profile', { exact: true }).selectOption('instant');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('Latency profile: instant.').waitFor();
    // A fault set on the new key is what its next submission gets.
    const faultRow = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: `${second.slice(0, 13)}…` }) });
    await faultRow.getByRole('combobox').fill('http:503');
    await faultRow.getByRole('button', { name: 'Set' }).click();
    await page.getByText(/: http:503\.$/).waitFor();
    const faulted = await fetch(`${ts.url}/v1/generations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${second}`, 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'x' }),
    });
    assert.equal(faulted.status, 503);
    await shot(page, 'emulator');
  }));

test('usage shows the client its cost per day, by model, its balance, and exports CSV', async (t) =>
  inBrowser(t, async (page) => {
    const before = await (await ts.call('GET', '/v1/usage')).json();
    await signIn(page, KEY_A);
    await page.getByRole('link', { name: 'Usage' }).click();
    await page.getByTestId('total-generations').getByText(String(before.totals.generations), { exact: true }).waitFor();
    await page.locator('.chart canvas').first().waitFor();

    const submitted = await ts.call('POST', '/v1/generations', { body: { prompt: 'one more', model: 'uni-1-max' } });
    assert.equal(submitted.status, 201);
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.getByTestId('total-generations').getByText(String(before.totals.generations + 1), { exact: true }).waitFor();
    await page.getByRole('rowheader', { name: 'uni-1-max' }).waitFor();

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV', exact: true }).click()]);
    const csv = fs.readFileSync((await download.path())!, 'utf8');
    assert.match(csv, /^model,generations,completed,failed,open,cost_usd\r\n/);
    assert.match(csv, /\r\nuni-1-max,1,/);

    // A chart per model, each of its own days: the new model's shows up beside the others.
    // The virtual clock stands still, so the range ends past it (as the page's does).
    const byModel = (await (await ts.call('GET', `/v1/usage?group_by=day,model&end=${new Date(Date.now() + 3 * 86_400_000).toISOString()}`)).json()).data as Array<{ day: string; model: string; generations: number; cost_usd: string }>;
    const models = [...new Set(byModel.map((r) => r.model))].sort();
    assert.ok(models.length >= 2 && models.includes('uni-1-max'), JSON.stringify(byModel));
    await page.locator('figure.model-chart[data-model="uni-1-max"] canvas').waitFor();
    assert.deepEqual(await page.locator('figure.model-chart figcaption').allTextContents(), models);
    assert.equal(await page.locator('figure.model-chart[data-model="uni-1-max"] [role="img"]').getAttribute('aria-label'), 'uni-1-max: cost and generations per day, last 30 days');

    const [daily] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export daily CSV' }).click()]);
    const lines = fs.readFileSync((await daily.path())!, 'utf8').trimEnd().split('\r\n');
    assert.equal(lines[0], 'day,model,generations,completed,failed,open,cost_usd');
    assert.deepEqual(
      lines.slice(1).map((l) => l.split(',')).map(([day, model, generations, , , , cost]) => [day, model, Number(generations), cost]),
      byModel.map((r) => [r.day, r.model, r.generations, r.cost_usd]),
    );
    await shot(page, 'usage');
  }));

test('at phone width the playground fits the screen', async (t) =>
  inBrowser(t, async (page) => {
    await signIn(page, KEY_A);
    await page.getByRole('heading', { name: 'Playground' }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.equal(overflow, 0, 'no horizontal scrolling');
    await shot(page, 'phone');
  }, { viewport: { width: 390, height: 844 } }));
