import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { startTestServer, waitForGeneration, type TestServer } from '../helpers/server.js';
import { receiver, until } from '../helpers/webhook-receiver.js';

const FAULT = 'x-atelier-fault';

describe('webhooks (extension)', () => {
  let ts: TestServer;
  before(async () => {
    ts = await startTestServer({ workers: '1', webhookRetryMs: '100,200,300', webhookTimeoutMs: '400' });
  });
  after(() => ts.close());

  test('an endpoint gets signed completed events, at least once through failures and a timeout', async () => {
    // 500, then a timeout, then 200: the third attempt is delivered.
    const hook = await receiver((i) => (i === 0 ? 500 : i === 1 ? 'timeout' : 200));
    try {
      const created = await ts.call('POST', '/v1/webhooks', { body: { url: hook.url, events: ['generation.completed'] } });
      assert.equal(created.status, 201);
      const endpoint = await created.json();
      assert.match(endpoint.secret, /^whsec_/);
      const listed = await (await ts.call('GET', '/v1/webhooks')).json();
      assert.equal(listed.data[0].secret, undefined, 'the secret is shown only once');

      const generation = await (await ts.call('POST', '/v1/generations', { body: { prompt: 'hooked' } })).json();
      await waitForGeneration(ts, generation.id);
      await until(() => hook.received.some((r) => r.answered === 200));
      assert.equal(hook.received.length, 3);
      const ids = new Set(hook.received.map((r) => r.headers['webhook-id']));
      assert.equal(ids.size, 1, 'every attempt carries the same webhook-id');
      const wh = new Webhook(endpoint.secret);
      for (const r of hook.received) {
        const payload = wh.verify(r.body, r.headers as Record<string, string>) as any;
        assert.equal(payload.type, 'generation.completed');
        assert.equal(payload.data.id, generation.id);
        assert.equal(payload.data.state, 'completed');
        const polled = await (await ts.call('GET', `/v1/generations/${generation.id}`)).json();
        assert.deepEqual({ ...payload.data, output: payload.data.output.length }, { ...polled, output: polled.output.length });
      }
      assert.throws(() => new Webhook('whsec_' + Buffer.alloc(24).toString('base64')).verify(hook.received[2].body, hook.received[2].headers as Record<string, string>));

      const log = await (await ts.call('GET', `/v1/webhooks/deliveries?subject_id=${generation.id}`)).json();
      assert.equal(log.data.length, 1);
      assert.equal(log.data[0].state, 'delivered');
      const detail = await (await ts.call('GET', `/v1/webhooks/deliveries/${log.data[0].id}`)).json();
      assert.deepEqual(detail.attempt_log.map((a: any) => a.status), [500, null, 200]);
      assert.match(detail.attempt_log[1].error, /timeout|aborted/i);

      const again = await ts.call('POST', `/v1/webhooks/deliveries/${log.data[0].id}/redeliver`);
      assert.equal(again.status, 202);
      await until(() => hook.received.length === 4);
      assert.equal(hook.received[3].headers['webhook-id'], hook.received[0].headers['webhook-id']);
      await ts.call('DELETE', `/v1/webhooks/${endpoint.id}`);
    } finally {
      await hook.close();
    }
  });

  test('a delivery that never succeeds is given up after the schedule and logged as failed', async () => {
    const hook = await receiver(() => 503);
    try {
      const endpoint = await (await ts.call('POST', '/v1/webhooks', { body: { url: hook.url, events: ['generation.failed'] } })).json();
      const generation = await (await ts.call('POST', '/v1/generations', { body: { prompt: 'fails' }, headers: { [FAULT]: 'corrupt_input' } })).json();
      await waitForGeneration(ts, generation.id);
      await until(() => hook.received.length === 4);
      const deadline = Date.now() + 5000;
      let log: any;
      do log = await (await ts.call('GET', `/v1/webhooks/deliveries?endpoint_id=${endpoint.id}`)).json();
      while (log.data[0]?.state !== 'failed' && Date.now() < deadline);
      assert.equal(log.data[0].state, 'failed');
      assert.equal(log.data[0].attempts, 4);
      assert.equal(log.data[0].last_status, 503);
      await ts.call('DELETE', `/v1/webhooks/${endpoint.id}`);
    } finally {
      await hook.close();
    }
  });

  test('a per-request webhook_url gets the generation’s events, signed with the client’s default secret', async () => {
    const hook = await receiver(() => 204);
    try {
      const { secret } = await (await ts.call('GET', '/v1/webhooks/default/secret')).json();
      const body = { prompt: 'per request', webhook_url: hook.url };
      const generation = await (await ts.call('POST', '/v1/generations', { body })).json();
      await waitForGeneration(ts, generation.id);
      await until(() => hook.received.length === 2);
      const types = hook.received.map((r) => (new Webhook(secret).verify(r.body, r.headers as Record<string, string>) as any).type);
      assert.deepEqual(types, ['generation.processing', 'generation.completed']);
    } finally {
      await hook.close();
    }
  });
});

describe('webhook URLs follow the input-URL SSRF policy', () => {
  test('without --allow-private-urls, http:// and private addresses are refused', async () => {
    const ts = await startTestServer({ workers: '0', allowPrivateUrls: 'false' });
    try {
      for (const [url, detail] of [
        ['http://example.com/hook', 'url: url must use https'],
        ['https://127.0.0.1/hook', "url: url host '127.0.0.1' is not a public address (loopback)"],
        ['https://[::ffff:10.0.0.1]/hook', "url: url host '::ffff:a00:1' is not a public address (private)"],
        ['ftp://example.com/hook', 'url: url must be an absolute http(s) URL'],
      ]) {
        const res = await ts.call('POST', '/v1/webhooks', { body: { url } });
        assert.equal(res.status, 422, url);
        assert.deepEqual(await res.json(), { detail });
      }
      const res = await ts.call('POST', '/v1/generations', { body: { prompt: 'x', webhook_url: 'https://169.254.169.254/latest' } });
      assert.equal(res.status, 422);
      assert.deepEqual(await res.json(), { detail: "webhook_url: url host '169.254.169.254' is not a public address (linkLocal)" });
    } finally {
      await ts.close();
    }
  });
});
