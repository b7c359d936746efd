import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('HTTP behaviour on every route', () => {
  let ts: TestServer;
  before(async () => {
    ts = await startTestServer({ workers: '0', bodyLimit: '4096' });
  });
  after(() => ts.close());

  test('every response carries X-Request-Id and X-API-Version, echoing the caller\'s id verbatim', async () => {
    for (const route of ['/healthz', '/v1/generations/nope', '/nowhere', '/metrics', '/openapi.json']) {
      const res = await ts.call('GET', route);
      assert.match(res.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/, route);
      assert.equal(res.headers.get('x-api-version'), '2026-04-01', route);
    }
    const echoed = await ts.call('GET', '/v1/generations/nope', { headers: { 'x-request-id': 'myapp-user42-batch7-req003' } });
    assert.equal(echoed.headers.get('x-request-id'), 'myapp-user42-batch7-req003');
  });

  test('malformed JSON is a 400 JSON error', async () => {
    const res = await ts.call('POST', '/v1/generations', { body: '{"prompt": ' });
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { detail: 'Request body is not valid JSON' });
  });

  test('a non-JSON content type is a 415 JSON error', async () => {
    const res = await ts.call('POST', '/v1/generations', { body: 'prompt=hi', headers: { 'content-type': 'text/plain' } });
    assert.equal(res.status, 415);
    assert.deepEqual(await res.json(), { detail: "Unsupported Content-Type 'text/plain'. Use application/json" });
  });

  test('an empty JSON body is a 400', async () => {
    const res = await ts.call('POST', '/v1/generations', { body: '' , headers: { 'content-type': 'application/json' } });
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { detail: 'Request body must be a JSON object' });
  });

  test('an over-size body is a 413 JSON error', async () => {
    const res = await ts.call('POST', '/v1/generations', { body: { prompt: 'x'.repeat(5000) } });
    assert.equal(res.status, 413);
    assert.deepEqual(await res.json(), { detail: 'Request body exceeds the 4096 byte limit' });
  });

  test('unknown routes are 404 and wrong methods 405, both JSON', async () => {
    const missing = await ts.call('GET', '/v2/whatever');
    assert.equal(missing.status, 404);
    assert.deepEqual(await missing.json(), { detail: 'Not Found' });
    for (const [method, route, allow] of [
      ['PUT', '/v1/generations', 'GET, POST, HEAD'],
      ['DELETE', '/v1/generations/d290f1ee-6c54-4b01-90e6-d701748f0851', 'GET, HEAD'],
      ['POST', '/healthz', 'GET, HEAD'],
    ]) {
      const res = await ts.call(method, route);
      assert.equal(res.status, 405, `${method} ${route}`);
      assert.equal(res.headers.get('allow'), allow);
      assert.deepEqual(await res.json(), { detail: 'Method Not Allowed' });
    }
  });

  test('GET /healthz is 200 once serving, and /metrics is Prometheus text', async () => {
    const health = await ts.call('GET', '/healthz', { key: null });
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' });
    const metrics = await ts.call('GET', '/metrics', { key: null });
    assert.equal(metrics.status, 200);
    assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain/);
    const text = await metrics.text();
    assert.match(text, /# TYPE atelier_http_requests_total counter/);
    assert.match(text, /atelier_http_requests_total\{method="GET",route="\/healthz",status="200"\} \d+/);
    assert.match(text, /atelier_queue_depth \d+/);
  });

  test('/metrics counts requests by method, route and status, with a cumulative duration histogram', async () => {
    const scrape = async () => (await ts.call('GET', '/metrics', { key: null })).text();
    const value = (text: string, series: string) => Number(new RegExp(`^${series.replace(/[{}+.]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
    const labels = 'method="PATCH",route="/v1/generations"';
    const before = await scrape();
    for (let i = 0; i < 3; i++) assert.equal((await ts.call('PATCH', '/v1/generations')).status, 405);
    const after = await scrape();
    assert.equal(value(after, `atelier_http_requests_total{${labels},status="405"}`) - value(before, `atelier_http_requests_total{${labels},status="405"}`), 3);
    const count = value(after, `atelier_http_request_duration_seconds_count{${labels}}`);
    assert.equal(count - value(before, `atelier_http_request_duration_seconds_count{${labels}}`), 3);
    assert.equal(value(after, `atelier_http_request_duration_seconds_bucket{le="+Inf",${labels}}`), count);
    assert.ok(value(after, `atelier_http_request_duration_seconds_sum{${labels}}`) > 0);
    const buckets = [...after.matchAll(/^atelier_http_request_duration_seconds_bucket\{le="([^"]+)",method="PATCH",route="\/v1\/generations"\} (\d+)$/gm)];
    assert.deepEqual(buckets.map((b) => b[1]), ['0.001', '0.005', '0.01', '0.05', '0.1', '0.5', '1', '5', '+Inf']);
    const counts = buckets.map((b) => Number(b[2]));
    assert.deepEqual(counts, [...counts].sort((a, b) => a - b), 'buckets are cumulative');
  });
});
