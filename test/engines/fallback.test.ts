import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { generate, startTestServer, type TestServer } from '../helpers/server.js';
import { ADMIN_TOKEN, adminView, lumaEntry, startGateway } from '../helpers/gateway.js';
import { runCli } from '../helpers/cli.js';


/** One sample of the gateway's /metrics, 0 when absent. */
async function metric(ts: TestServer, line: string): Promise<number> {
  const text = await (await fetch(`${ts.url}/metrics`)).text();
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found ? Number(found.slice(line.length + 1)) : 0;
}

const servedBy = async (ts: TestServer, id: string): Promise<string> => (await adminView(ts, id)).engine;

describe('fallbacks and the circuit breaker', () => {
  let upstream: TestServer;
  let gateway: TestServer;
  before(async () => {
    upstream = await startTestServer();
    const yaml = [
      'engines:',
      lumaEntry('down', upstream, '    headers: { X-Atelier-Fault: "http:502" }\n    breaker: { failures: 2, cooldown_ms: 60000 }\n'),
      lumaEntry('moderating', upstream, '    headers: { X-Atelier-Fault: content_moderated }\n'),
      lumaEntry('limited', upstream, '    headers: { X-Atelier-Fault: "http:429" }\n    rate_limit_give_up_ms: 1500\n'),
      lumaEntry('up', upstream),
      'models:',
      '  uni-1:',
      '    engines: [down, up]',
      '  uni-1-max:',
      '    engines: [moderating, up]',
      '  ray-3.2:',
      '    serves: [video]',
      '    engines: [limited]',
    ].join('\n');
    gateway = await startGateway(yaml, { mode: 'gateway', adminToken: ADMIN_TOKEN });
  });
  after(async () => {
    await gateway?.close();
    await upstream?.close();
  });

  test('a backend failing with 502 falls back to the next engine, and after `failures` in a row its breaker skips it', async () => {
    for (let i = 0; i < 4; i++) {
      const done = await generate(gateway, { prompt: `fallback ${i}` });
      assert.equal(done.state, 'completed', JSON.stringify(done));
      assert.equal(await servedBy(gateway, done.id), 'up');
    }
    assert.equal(await metric(gateway, 'atelier_engine_upstream_requests_total{engine="down",status="502"}'), 2, 'the open breaker kept the last two away from the failing backend');
    assert.equal(await metric(gateway, 'atelier_engine_breaker_open{engine="down"}'), 1);
    assert.equal(await metric(gateway, 'atelier_engine_fallbacks_total{from="down",to="up"}'), 4);
    assert.equal(await metric(gateway, 'atelier_engine_jobs_total{engine="up",outcome="completed"}'), 4);
  });

  test('GET /admin/v1/engines and `atelier engines` show each engine\'s breaker in this process: open with its failures and next trial, or closed', async () => {
    // The fallback test above opened `down` (two 502s in a row, a 60 s cool-down).
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const res = await fetch(`${gateway.url}/admin/v1/engines`, { headers: admin });
    assert.equal(res.status, 200);
    const rows: any[] = (await res.json()).data;
    assert.deepEqual(rows.map((row) => row.engine), ['down', 'limited', 'moderating', 'up']);
    const [worker] = (await (await fetch(`${gateway.url}/admin/v1/workers`, { headers: admin })).json()).data;
    const down = rows.find((row) => row.engine === 'down');
    assert.equal(down.breaker, 'open');
    assert.equal(down.failures, 2);
    assert.equal(down.type, 'luma');
    assert.equal(down.process, worker.id, 'the breaker is the reporting process\'s own');
    assert.equal(down.pid, process.pid);
    assert.equal(Date.parse(down.trial_at) - Date.parse(down.opened_at), 60_000);
    assert.ok(Date.now() - Date.parse(down.opened_at) < 60_000);
    const up = rows.find((row) => row.engine === 'up');
    assert.deepEqual([up.breaker, up.failures, up.opened_at, up.trial_at, up.in_flight, up.in_flight_limit], ['closed', 0, null, null, 0, 100]);

    const cli = await runCli('atelier', ['engines', '--url', gateway.url, '--json'], { env: { ATELIER_ADMIN_TOKEN: ADMIN_TOKEN } });
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual(JSON.parse(cli.stdout).data.find((row: any) => row.engine === 'down').breaker, 'open');
    const refused = await fetch(`${gateway.url}/admin/v1/engines`);
    assert.equal(refused.status, 401);
  });

  test('a failure another try would repeat (moderation) ends the generation without falling back', async () => {
    const done = await generate(gateway, { prompt: 'moderated upstream', model: 'uni-1-max' });
    assert.equal(done.state, 'failed');
    assert.equal(done.failure_code, 'content_moderated');
    assert.equal(done.failure_reason, 'Generation output was flagged by our content moderation system.');
    assert.equal(await servedBy(gateway, done.id), 'moderating');
    assert.equal(await metric(gateway, 'atelier_engine_fallbacks_total{from="moderating",to="up"}'), 0);
  });

  test('upstream 429s are waited out honouring Retry-After, then the generation fails as rate_limited after the bounded time', async () => {
    const started = Date.now();
    const done = await generate(gateway, { prompt: 'rate limited upstream', model: 'ray-3.2', type: 'video', video: { resolution: '360p' } });
    assert.equal(done.state, 'failed');
    assert.equal(done.failure_code, 'rate_limited');
    assert.ok(Date.now() - started >= 1000, 'the 1 s Retry-After was waited out before giving up');
    assert.equal(await metric(gateway, 'atelier_engine_upstream_requests_total{engine="limited",status="429"}'), 2, 'one retry after Retry-After, then the 1.5 s budget is spent');
  });
});
