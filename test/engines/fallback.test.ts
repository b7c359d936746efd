import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { generate, startTestServer, type TestServer } from '../helpers/server.js';
import { ADMIN_TOKEN, adminView, lumaEntry, startGateway } from '../helpers/gateway.js';


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
