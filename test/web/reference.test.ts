import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { dashboardPolicy } from '../../src/api/routes/dashboard.js';
import { launchBrowser, watchProblems } from '../helpers/browser.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let ts: TestServer;
let browser: Browser | null = null;
let noBrowser: string | null = null;

before(async () => {
  ts = await startTestServer({ strict: 'true' });
  const launched = await launchBrowser();
  if (typeof launched === 'string') noBrowser = launched;
  else browser = launched;
});

after(async () => {
  await browser?.close();
  await ts?.close();
});

/** The same-origin `src`/`href` of the page's scripts and stylesheets. */
function assetsOf(html: string): string[] {
  return [...html.matchAll(/<(?:script|link rel="stylesheet")[^>]*(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
}

test('GET /reference is an HTML page under the strict CSP that loads /openapi.json from its own files, even with --strict', async () => {
  const page = await fetch(`${ts.url}/reference`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
  assert.equal(page.headers.get('content-security-policy'), dashboardPolicy());
  const html = await page.text();
  assert.doesNotMatch(html, /<script>|<script [^>]*>[^<]+<\/script>|<style|style=/, 'no inline script or style');
  const assets = assetsOf(html);
  assert.deepEqual(assets.sort(), ['/reference/reference.js', '/reference/swagger-ui-bundle.js', '/reference/swagger-ui.css']);
  let init = '';
  for (const asset of assets) {
    const res = await fetch(`${ts.url}${asset}`);
    assert.equal(res.status, 200, asset);
    assert.match(res.headers.get('content-type') ?? '', asset.endsWith('.css') ? /^text\/css/ : /javascript/, asset);
    assert.equal(res.headers.get('content-security-policy'), dashboardPolicy(), asset);
    const body = await res.text();
    assert.ok(body.length > 0, asset);
    if (asset.endsWith('reference.js')) init = body;
  }
  assert.match(init, /url: '\/openapi\.json'/);
  assert.equal((await fetch(`${ts.url}/openapi.json`)).status, 200);
});

test('only the viewer files the page needs are served from the package', async () => {
  for (const path of ['/reference/index.html', '/reference/package.json', '/reference/swagger-initializer.js', '/reference/../package.json']) {
    assert.equal((await fetch(`${ts.url}${path}`)).status, 404, path);
  }
});

test('the reference renders the operations of /openapi.json in a browser with no console error', async (t) => {
  if (!browser) return t.skip(noBrowser ?? 'no browser');
  const spec = (await (await fetch(`${ts.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, { summary?: string }>> };
  const summary = spec.paths['/v1/generations']?.post?.summary;
  assert.ok(summary, 'POST /v1/generations has a summary');
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(`${ts.url}/reference`);
    await page.getByText(summary, { exact: true }).first().waitFor({ timeout: 20_000 });
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
