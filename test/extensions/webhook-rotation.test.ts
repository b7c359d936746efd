import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { startTestServer, waitForGeneration, type TestServer } from '../helpers/server.js';
import { receiver, until, type Received } from '../helpers/webhook-receiver.js';

const ADMIN = 'rotation-admin';
const FAULT = 'x-atelier-fault';

/**
 * Whether `standardwebhooks` accepts the delivery with this secret, as a receiver would on its
 * arrival: the server runs a virtual clock, so the tolerance window is read at the message's own time.
 */
function verifies(secret: string, delivery: Received): boolean {
  const realNow = Date.now;
  Date.now = () => Number(delivery.headers['webhook-timestamp']) * 1000;
  try {
    new Webhook(secret).verify(delivery.body, delivery.headers as Record<string, string>);
    return true;
  } catch {
    return false;
  } finally {
    Date.now = realNow;
  }
}

describe('webhook secret rotation (extension)', () => {
  let ts: TestServer;
  before(async () => {
    ts = await startTestServer({ workers: '1', clock: 'virtual', adminToken: ADMIN });
  });
  after(() => ts.close());
  const advance = (seconds: number) =>
    ts.call('POST', '/admin/v1/clock/advance', { key: null, headers: { authorization: `Bearer ${ADMIN}` }, body: { seconds } });
  const failedGeneration = async (extra: object = {}) => {
    const created = await (await ts.call('POST', '/v1/generations', { body: { prompt: 'rotated', ...extra }, headers: { [FAULT]: 'generation_failed' } })).json();
    await waitForGeneration(ts, created.id);
    return created.id as string;
  };

  test('during the grace period both the old and the new secret verify; after it only the new one', async () => {
    const hook = await receiver(() => 204);
    try {
      const endpoint = await (await ts.call('POST', '/v1/webhooks', { body: { url: hook.url, events: ['generation.failed'] } })).json();
      const old = endpoint.secret as string;

      // No body at all (curl -X POST): the configured grace, 24 h.
      const res = await ts.call('POST', `/v1/webhooks/${endpoint.id}/rotate`);
      assert.equal(res.status, 200);
      const rotated = await res.json();
      assert.match(rotated.secret, /^whsec_/);
      assert.notEqual(rotated.secret, old);
      const { now } = await (await ts.call('GET', '/admin/v1/clock', { key: null, headers: { authorization: `Bearer ${ADMIN}` } })).json();
      const grace = Date.parse(rotated.previous_secret_expires_at) - Date.parse(now);
      assert.ok(Math.abs(grace - 24 * 3600 * 1000) < 5000, `the grace is 24 h (${grace} ms)`);
      const shown = await (await ts.call('GET', `/v1/webhooks/${endpoint.id}`)).json();
      assert.equal(shown.secret, undefined, 'the new secret is shown only by the rotation');
      assert.equal(shown.previous_secret_expires_at, rotated.previous_secret_expires_at);

      await failedGeneration();
      await until(() => hook.received.length === 1);
      const during = hook.received[0];
      assert.equal(String(during.headers['webhook-signature']).split(' ').length, 2);
      assert.ok(verifies(rotated.secret, during), 'the new secret verifies during the grace');
      assert.ok(verifies(old, during), 'the old secret verifies during the grace');

      assert.equal((await advance(24 * 3600 + 1)).status, 200);
      await failedGeneration();
      await until(() => hook.received.length === 2);
      const later = hook.received[1];
      assert.equal(String(later.headers['webhook-signature']).split(' ').length, 1);
      assert.ok(verifies(rotated.secret, later), 'the new secret verifies after the grace');
      assert.ok(!verifies(old, later), 'the old secret no longer verifies after the grace');
      assert.equal((await (await ts.call('GET', `/v1/webhooks/${endpoint.id}`)).json()).previous_secret_expires_at, null);
      await ts.call('DELETE', `/v1/webhooks/${endpoint.id}`);
    } finally {
      await hook.close();
    }
  });

  test('rotating again within the grace drops the oldest secret; grace_seconds 0 drops the old one at once', async () => {
    const hook = await receiver(() => 204);
    try {
      const first = (await (await ts.call('POST', '/v1/webhooks', { body: { url: hook.url, events: ['generation.failed'] } })).json()).secret;
      const { id } = (await (await ts.call('GET', '/v1/webhooks')).json()).data.at(-1);
      const second = (await (await ts.call('POST', `/v1/webhooks/${id}/rotate`, { body: { grace_seconds: 3600 } })).json()).secret;
      const third = (await (await ts.call('POST', `/v1/webhooks/${id}/rotate`, { body: { grace_seconds: 3600 } })).json()).secret;
      await failedGeneration();
      await until(() => hook.received.length === 1);
      assert.deepEqual([first, second, third].map((s) => verifies(s, hook.received[0])), [false, true, true]);

      const now = await (await ts.call('POST', `/v1/webhooks/${id}/rotate`, { body: { grace_seconds: 0 } })).json();
      assert.equal(now.previous_secret_expires_at, null);
      await failedGeneration();
      await until(() => hook.received.length === 2);
      assert.deepEqual([third, now.secret].map((s) => verifies(s, hook.received[1])), [false, true]);

      for (const body of [{ grace_seconds: -1 }, { grace_seconds: 'soon' }, { grace_seconds: 31 * 24 * 3600 }]) {
        const bad = await ts.call('POST', `/v1/webhooks/${id}/rotate`, { body });
        assert.equal(bad.status, 400, JSON.stringify(body));
        assert.match((await bad.json()).detail, /^grace_seconds: /);
      }
      assert.equal((await ts.call('POST', '/v1/webhooks/00000000-0000-4000-8000-000000000000/rotate')).status, 404);
      assert.equal((await ts.call('POST', `/v1/webhooks/${id}/rotate`, { key: 'luma-api-test-client-b-0123456789abcdef' })).status, 404, "another client's endpoint");
      await ts.call('DELETE', `/v1/webhooks/${id}`);
    } finally {
      await hook.close();
    }
  });

  test('the per-request secret rotates the same way', async () => {
    const hook = await receiver(() => 204);
    try {
      const before = (await (await ts.call('GET', '/v1/webhooks/default/secret')).json()).secret;
      const rotated = await (await ts.call('POST', '/v1/webhooks/default/secret/rotate', { body: { grace_seconds: 600 } })).json();
      assert.notEqual(rotated.secret, before);
      assert.ok(rotated.previous_secret_expires_at);
      assert.equal((await (await ts.call('GET', '/v1/webhooks/default/secret')).json()).secret, rotated.secret);
      await failedGeneration({ webhook_url: hook.url, webhook_events_filter: ['generation.failed'] });
      await until(() => hook.received.length === 1);
      assert.ok(verifies(before, hook.received[0]) && verifies(rotated.secret, hook.received[0]));
      await advance(601);
      await failedGeneration({ webhook_url: hook.url, webhook_events_filter: ['generation.failed'] });
      await until(() => hook.received.length === 2);
      assert.deepEqual([before, rotated.secret].map((s) => verifies(s, hook.received[1])), [false, true]);
    } finally {
      await hook.close();
    }
  });
});
