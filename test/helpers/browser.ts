import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, ConsoleMessage, Page } from 'playwright-core';

/** Debian's chromium (its real binary, not the /usr/bin wrapper script), or CHROMIUM_PATH. */
export function findChromium(): string | null {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/lib/chromium/chromium', '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
  return candidates.find((p): p is string => !!p && fs.existsSync(p)) ?? null;
}

export async function launchBrowser(): Promise<Browser | string> {
  const executablePath = findChromium();
  if (!executablePath) return 'no chromium found (apt-get install chromium, or set CHROMIUM_PATH): browser tests skipped';
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'] });
}

/**
 * Records every console error, page error, failed request and error response of a page. `expected`
 * lists error responses a test provokes on purpose (`422 /v1/generations`); those, and the console
 * line the browser prints for each, are not problems.
 */
export function watchProblems(page: Page, expected: Array<{ status: number; path: string }> = []) {
  const problems: string[] = [];
  const allowed = (status: number, url: string) => expected.some((e) => e.status === status && new URL(url).pathname === e.path);
  let provoked = 0;
  page.on('console', (msg: ConsoleMessage) => {
    if (msg.type() !== 'error') return;
    if (provoked > 0 && /Failed to load resource: the server responded with a status of/.test(msg.text())) {
      provoked--;
      return;
    }
    problems.push(`console: ${msg.text()} (${msg.location().url})`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('requestfailed', (request) => {
    const reason = request.failure()?.errorText ?? '';
    // Aborted fetches are the page cancelling a poll it no longer needs; media elements abort ranges they skip.
    if (reason === 'net::ERR_ABORTED') return;
    problems.push(`request failed: ${request.method()} ${request.url()} ${reason}`);
  });
  page.on('response', (response) => {
    if (response.status() < 400) return;
    if (allowed(response.status(), response.url())) provoked++;
    else problems.push(`response ${response.status()}: ${response.request().method()} ${response.url()}`);
  });
  return problems;
}

const require = createRequire(import.meta.url);
let axeSource: string | null = null;

/**
 * axe-core's serious and critical accessibility violations on the page as it is now (WCAG 2.1 A
 * and AA rules), one line each. axe runs through the DevTools protocol, which the page's CSP
 * doesn't govern, so the page under test keeps its real policy.
 */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  axeSource ??= fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(c: unknown, o: unknown): Promise<{ violations: Array<{ id: string; impact: string; help: string; nodes: Array<{ target: unknown[] }> }> }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.targets.slice(0, 3).join(', ')}`);
}
