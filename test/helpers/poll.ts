import type { TestServer } from './server.js';

/** Polls a generation until it reaches `state`; fails on any other terminal state or after `timeoutMs`. */
export async function waitForState(ts: TestServer, id: string, state: string, options: { key?: string; timeoutMs?: number } = {}): Promise<any> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let last: any;
  while (Date.now() < deadline) {
    last = await (await ts.call('GET', `/v1/generations/${id}`, { key: options.key })).json();
    if (last.state === state) return last;
    if ((last.state === 'completed' || last.state === 'failed') && last.state !== state) {
      throw new Error(`generation ${id} ended ${last.state} (${last.failure_code}), expected ${state}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`generation ${id} stayed ${last?.state}, expected ${state}`);
}

/** The value of one sample in Prometheus text, or 0 when absent. */
export async function metricValue(ts: TestServer, sample: string): Promise<number> {
  const text = await (await fetch(`${ts.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line ? Number(line.slice(sample.length + 1)) : 0;
}
