import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startTestServer } from '../helpers/server.js';

describe('/metrics access', () => {
  test('open by default, as Prometheus expects', async () => {
    const ts = await startTestServer({ workers: '0' });
    try {
      const res = await fetch(`${ts.url}/metrics`);
      assert.equal(res.status, 200);
      assert.match(await res.text(), /^# HELP /m);
    } finally {
      await ts.close();
    }
  });

  test('with ATELIER_METRICS_TOKEN it takes that bearer token and nothing else', async () => {
    const ts = await startTestServer({ workers: '0', metricsToken: 'scrape-secret' });
    try {
      for (const authorization of [undefined, 'Bearer wrong', 'Bearer scrape-secret2', 'scrape-secret']) {
        const res = await fetch(`${ts.url}/metrics`, { headers: authorization ? { authorization } : {} });
        assert.equal(res.status, 401, String(authorization));
        assert.deepEqual(await res.json(), { detail: 'Missing or invalid metrics token' });
      }
      const ok = await fetch(`${ts.url}/metrics`, { headers: { authorization: 'Bearer scrape-secret' } });
      assert.equal(ok.status, 200);
      assert.equal((await fetch(`${ts.url}/healthz`)).status, 200, '/healthz stays open');
    } finally {
      await ts.close();
    }
  });

  test('with ATELIER_METRICS_ADDRESS it is served there and not on the API port', async () => {
    const ts = await startTestServer({ workers: '0', metricsAddress: '127.0.0.1:0' });
    try {
      assert.equal((await fetch(`${ts.url}/metrics`)).status, 404);
      assert.ok(ts.server.metricsUrl);
      const res = await fetch(`${ts.server.metricsUrl}/metrics`);
      assert.equal(res.status, 200);
      assert.match(await res.text(), /atelier_http_requests|# HELP/);
      assert.equal((await fetch(`${ts.server.metricsUrl}/v1/generations`)).status, 404, 'nothing else is served there');
    } finally {
      await ts.close();
    }
  });
});
