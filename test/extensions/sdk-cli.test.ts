import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { Atelier, verifyWebhook, WebhookVerificationError } from '../../src/client/index.js';
import { runCli } from '../helpers/cli.js';
import { KEY_A, startTestServer, waitForGeneration, type TestServer } from '../helpers/server.js';

const FAULT = 'x-atelier-fault';

describe('SDK and CLI use the extensions', () => {
  let ts: TestServer;
  let sdk: Atelier;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    ts = await startTestServer({ workers: '1' });
    sdk = new Atelier({ apiKey: KEY_A, baseURL: `${ts.url}/v1`, env: {} });
    env = { LUMA_AGENTS_API_KEY: KEY_A, LUMA_BASE_URL: `${ts.url}/v1` };
  });
  after(() => ts.close());

  test('create sends an Idempotency-Key, so a retry after a lost response creates no second job', async () => {
    const count = async () => Number((await ts.server.store.db.selectFrom('generations').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const before = await count();
    // Prefer: wait holds the first response past the SDK's timeout; the retry carries the same key.
    const created = await sdk.generations.create({ prompt: 'retried' }, { headers: { prefer: 'wait=2', [FAULT]: 'latency:1500' }, timeout: 400, maxRetries: 6 });
    assert.equal(await count(), before + 1);
    assert.ok(created.id);
  });

  test('list, listAll, cancel and stream', async () => {
    const queued = await sdk.generations.create({ prompt: 'to cancel' }, { headers: { [FAULT]: 'latency:600000' } });
    const page = await sdk.generations.list({ state: 'queued', limit: 1 });
    assert.equal(page.data[0].id, queued.id);
    const all: string[] = [];
    for await (const g of sdk.generations.listAll({ limit: 1 })) all.push(g.id);
    assert.ok(all.length >= 2 && all.includes(queued.id));
    const cancelled = await sdk.generations.cancel(queued.id);
    assert.equal(cancelled.state, 'failed');
    assert.ok(cancelled.cancelled_at);

    const created = await sdk.generations.create({ prompt: 'streamed' });
    const types: string[] = [];
    for await (const event of sdk.generations.stream(created.id)) types.push(event.type);
    assert.equal(types[types.length - 1], 'generation.completed');
  });

  test('stream falls back to polling on a server without event streams (--strict)', async () => {
    const strict = await startTestServer({ workers: '1', strict: 'true' });
    try {
      const client = new Atelier({ apiKey: KEY_A, baseURL: `${strict.url}/v1`, env: {} });
      const created = await client.generations.create({ prompt: 'polled' });
      const types: string[] = [];
      for await (const event of client.generations.stream(created.id, { pollInterval: 50 })) types.push(event.type);
      assert.equal(types[types.length - 1], 'generation.completed');
      assert.ok(types.every((t) => t.startsWith('generation.')));
    } finally {
      await strict.close();
    }
  });

  test('verifyWebhook accepts a signed body and refuses a tampered one', () => {
    const secret = `whsec_${Buffer.alloc(24, 7).toString('base64')}`;
    const body = JSON.stringify({ type: 'generation.completed', timestamp: new Date().toISOString(), data: { id: 'x' } });
    const now = new Date();
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(Math.floor(now.getTime() / 1000)), 'webhook-signature': new Webhook(secret).sign('msg_1', now, body) };
    assert.equal(verifyWebhook(body, headers, secret).type, 'generation.completed');
    assert.throws(() => verifyWebhook(body.replace('x', 'y'), headers, secret), WebhookVerificationError);
  });

  test('atelier generations list / cancel and atelier watch', async () => {
    const queued = await sdk.generations.create({ prompt: 'cli cancel' }, { headers: { [FAULT]: 'latency:600000' } });
    const listed = await runCli('atelier', ['generations', 'list', '--state', 'queued', '--json'], { env });
    assert.equal(listed.code, 0, listed.stderr);
    assert.ok(JSON.parse(listed.stdout).some((g: { id: string }) => g.id === queued.id));
    const cancelled = await runCli('atelier', ['generations', 'cancel', queued.id], { env });
    assert.equal(cancelled.code, 0, cancelled.stderr);
    assert.match(cancelled.stdout, new RegExp(`^${queued.id} .* failed \\(generation_failed\\)`));
    const again = await runCli('atelier', ['generations', 'cancel', queued.id], { env });
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already failed and cannot be cancelled \(HTTP 409\)/);

    const created = await sdk.generations.create({ prompt: 'watched' });
    const watched = await runCli('atelier', ['watch', created.id, '--json'], { env });
    assert.equal(watched.code, 0, watched.stderr);
    const lines = watched.stdout.trim().split('\n}\n').length;
    assert.ok(lines >= 1);
    assert.match(watched.stdout, /"type": "generation.completed"/);
    await waitForGeneration(ts, created.id);
  });
});
