import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { runCli } from '../helpers/cli.js';
import { solidImage } from '../helpers/images.js';
import { startTestServer, tempDir, waitForGeneration, type TestServer } from '../helpers/server.js';
import { receiver, until } from '../helpers/webhook-receiver.js';

const ADMIN = 'webhook-admin-token';
const NONE = '00000000-0000-4000-8000-000000000000';

describe('webhook endpoints per client and per key through the admin API (extension)', () => {
  let ts: TestServer;
  before(async () => {
    ts = await startTestServer({ workers: '1', adminToken: ADMIN });
  });
  after(() => ts.close());
  const admin = async (method: string, route: string, body?: unknown) => {
    const res = await ts.call(method, `/admin/v1${route}`, { key: null, headers: { authorization: `Bearer ${ADMIN}` }, body });
    return { status: res.status, body: res.status === 204 ? null : await res.json() };
  };

  test("an endpoint of a key gets only that key's generations and files; one of the client gets every key's", async () => {
    const keyHook = await receiver(() => 204);
    const clientHook = await receiver(() => 204);
    try {
      const { body: made } = await admin('POST', '/clients', { name: 'hooks' });
      const clientId = made.client.id as string;
      const key1 = made.key as string;
      const key1Id = (await admin('GET', `/clients/${clientId}/keys`)).body.data[0].id as string;
      const { body: second } = await admin('POST', `/clients/${clientId}/keys`, {});
      const key2 = second.key as string;

      const events = ['generation.failed', 'file.ready'];
      const forKey = await admin('POST', `/keys/${key1Id}/webhooks`, { url: keyHook.url, events });
      assert.equal(forKey.status, 201);
      assert.equal(forKey.body.key_id, key1Id);
      assert.match(forKey.body.secret, /^whsec_/);
      const forClient = await admin('POST', `/clients/${clientId}/webhooks`, { url: clientHook.url, events, description: 'all keys' });
      assert.equal(forClient.status, 201);
      assert.equal(forClient.body.key_id, null);

      assert.deepEqual((await admin('GET', `/keys/${key1Id}/webhooks`)).body.data.map((e: any) => e.id), [forKey.body.id]);
      const listed = (await admin('GET', `/clients/${clientId}/webhooks`)).body.data;
      assert.deepEqual(listed.map((e: any) => [e.id, e.key_id, e.secret]), [[forKey.body.id, key1Id, undefined], [forClient.body.id, null, undefined]]);
      const seenByClient = await (await ts.call('GET', '/v1/webhooks', { key: key2 })).json();
      assert.deepEqual(seenByClient.data.map((e: any) => e.key_id), [key1Id, null], 'the client sees both, and which key each is for');

      const fail = async (key: string) => {
        const created = await (await ts.call('POST', '/v1/generations', { key, body: { prompt: 'per key' }, headers: { 'x-atelier-fault': 'generation_failed' } })).json();
        await waitForGeneration(ts, created.id, key);
        return created.id as string;
      };
      const png = await solidImage(16, 16);
      const upload = async (key: string) => {
        const form = new FormData();
        form.append('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'pic.png');
        const res = await fetch(`${ts.url}/v1/files`, { method: 'POST', body: form, headers: { authorization: `Bearer ${key}` } });
        assert.equal(res.status, 201);
        return (await res.json()).id as string;
      };
      const subjects = { gen1: await fail(key1), gen2: await fail(key2), file1: await upload(key1), file2: await upload(key2) };
      await until(() => clientHook.received.length === 4 && keyHook.received.length === 2);

      const log = async (endpointId: string) =>
        (await admin('GET', `/clients/${clientId}/webhooks/deliveries?endpoint_id=${endpointId}`)).body.data.map((d: any) => d.subject_id).sort();
      assert.deepEqual(await log(forKey.body.id), [subjects.gen1, subjects.file1].sort());
      assert.deepEqual(await log(forClient.body.id), Object.values(subjects).sort());
      for (const r of keyHook.received) new Webhook(forKey.body.secret).verify(r.body, r.headers as Record<string, string>);

      const delivery = (await admin('GET', `/clients/${clientId}/webhooks/deliveries?endpoint_id=${forKey.body.id}&limit=1`)).body;
      assert.equal(delivery.has_more, true);
      const detail = await admin('GET', `/webhooks/deliveries/${delivery.data[0].id}`);
      assert.deepEqual(detail.body.attempt_log.map((a: any) => a.status), [204]);
      const again = await admin('POST', `/webhooks/deliveries/${delivery.data[0].id}/redeliver`);
      assert.equal(again.status, 202);
      await until(() => keyHook.received.length === 3);
      assert.equal(keyHook.received[2].headers['webhook-id'], `msg_${delivery.data[0].id}`);

      const disabled = await admin('PATCH', `/webhooks/${forKey.body.id}`, { enabled: false });
      assert.equal(disabled.body.enabled, false);
      const rotated = await admin('POST', `/webhooks/${forKey.body.id}/rotate`, { grace_seconds: 60 });
      assert.equal(rotated.status, 200);
      assert.notEqual(rotated.body.secret, forKey.body.secret);
      assert.ok(rotated.body.previous_secret_expires_at);
      assert.equal((await admin('DELETE', `/webhooks/${forKey.body.id}`)).status, 204);
      assert.deepEqual(await admin('GET', `/webhooks/${forKey.body.id}`), { status: 404, body: { detail: 'Webhook endpoint not found' } });
    } finally {
      await keyHook.close();
      await clientHook.close();
    }
  });

  test('unknown clients, keys, endpoints and deliveries are 404s; bad bodies 400 and 422; no token 401', async () => {
    assert.deepEqual(await admin('POST', `/clients/${NONE}/webhooks`, { url: 'http://127.0.0.1:9/hook' }), { status: 404, body: { detail: 'Client not found' } });
    assert.deepEqual(await admin('GET', `/keys/${NONE}/webhooks`), { status: 404, body: { detail: 'API key not found' } });
    assert.deepEqual(await admin('PATCH', '/webhooks/not-an-id', { enabled: true }), { status: 404, body: { detail: 'Webhook endpoint not found' } });
    assert.deepEqual(await admin('POST', `/webhooks/${NONE}/rotate`), { status: 404, body: { detail: 'Webhook endpoint not found' } });
    assert.deepEqual(await admin('POST', '/webhooks/deliveries/nope/redeliver'), { status: 404, body: { detail: 'Webhook delivery not found' } });
    const clientId = (await admin('GET', '/clients')).body.data[0].id;
    const missingUrl = await admin('POST', `/clients/${clientId}/webhooks`, { events: ['generation.completed'] });
    assert.equal(missingUrl.status, 400);
    assert.match(missingUrl.body.detail, /url/);
    assert.equal((await admin('POST', `/clients/${clientId}/webhooks`, { url: 'ftp://example.com/x' })).status, 422);
    assert.equal((await admin('GET', `/clients/${clientId}/webhooks/deliveries?limit=0`)).status, 400);
    assert.equal((await ts.call('GET', `/admin/v1/clients/${clientId}/webhooks`, { key: null })).status, 401);
  });

  test('--strict serves none of it', async () => {
    const strict = await startTestServer({ workers: '0', adminToken: ADMIN, strict: 'true' });
    try {
      const clientId = (await (await strict.call('GET', '/admin/v1/clients', { key: null, headers: { authorization: `Bearer ${ADMIN}` } })).json()).data[0].id;
      const res = await strict.call('GET', `/admin/v1/clients/${clientId}/webhooks`, { key: null, headers: { authorization: `Bearer ${ADMIN}` } });
      assert.equal(res.status, 404);
      assert.deepEqual(await res.json(), { detail: 'Not Found' });
    } finally {
      await strict.close();
    }
  });
});

test('atelier webhooks: create for a key, list, rotate, delete, on a stopped server’s data dir', { timeout: 120_000 }, async () => {
  const dataDir = tempDir();
  const cli = (...args: string[]) => runCli('atelier', [...args, '--data-dir', dataDir]);
  const made = await cli('clients', 'create', '--name', 'cli-hooks');
  assert.equal(made.code, 0, made.stderr);
  const clientId = JSON.parse(made.stdout).client.id;
  const keyId = JSON.parse((await cli('keys', 'list', clientId)).stdout).data[0].id;

  const neither = await cli('webhooks', 'create', 'http://127.0.0.1:9/hook');
  assert.equal(neither.code, 2);
  assert.match(neither.stderr, /exactly one of --client <client-id> or --key <key-id>/);

  const created = await cli('webhooks', 'create', 'https://hooks.example.com/atelier', '--key', keyId, '--events', 'generation.completed,generation.failed');
  assert.equal(created.code, 0, created.stderr);
  const endpoint = JSON.parse(created.stdout);
  assert.deepEqual([endpoint.key_id, endpoint.events], [keyId, ['generation.completed', 'generation.failed']]);
  const listed = JSON.parse((await cli('webhooks', 'list', '--client', clientId)).stdout).data;
  assert.deepEqual(listed.map((e: any) => e.id), [endpoint.id]);
  const rotated = JSON.parse((await cli('webhooks', 'rotate', endpoint.id, '--grace', '0')).stdout);
  assert.notEqual(rotated.secret, endpoint.secret);
  assert.equal(rotated.previous_secret_expires_at, null);
  const removed = await cli('webhooks', 'delete', endpoint.id);
  assert.deepEqual([removed.code, removed.stdout], [0, '']);
  const gone = await cli('webhooks', 'get', endpoint.id);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /Webhook endpoint not found/);
});
