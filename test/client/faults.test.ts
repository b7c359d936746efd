import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Atelier, InternalServerError, RateLimitError } from '../../src/client/index.js';
import { KEY_A, KEY_B, startTestServer, type TestServer } from '../helpers/server.js';

/** The emulator's faults as an app sees them through the SDK, sent with LUMA_CUSTOM_HEADERS. */
describe('SDK against injected faults', () => {
  let ts: TestServer;
  before(async () => {
    ts = await startTestServer({ workers: '2' }, { env: { ATELIER_KEY_FAULTS: JSON.stringify({ [KEY_B]: 'budget_exhausted' }) } });
  });
  after(() => ts.close());

  const sdk = (fault: string, options: { maxRetries?: number } = {}) =>
    new Atelier({ apiKey: KEY_A, baseURL: `${ts.url}/v1`, env: { LUMA_CUSTOM_HEADERS: `X-Atelier-Fault: ${fault}` }, ...options });
  const injected = async (fault: string) => {
    const text = await (await fetch(`${ts.url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`atelier_faults_injected_total{fault="${fault}",source="header"}`));
    return line ? Number(line.split(' ').at(-1)) : 0;
  };

  test('flaky:2 is ridden out by the default two retries; one retry is not enough', async () => {
    const created = await sdk('flaky:2').generations.create({ prompt: 'flaky but fine' });
    assert.equal(created.state, 'queued');
    const err = await sdk('flaky:2', { maxRetries: 1 }).generations.create({ prompt: 'flaky, too few retries' }).catch((e) => e);
    assert.ok(err instanceof InternalServerError);
    assert.equal(err.status, 502);
  });

  test('an injected 429 is retried after its Retry-After, then surfaces as RateLimitError', async () => {
    const before = await injected('http:429');
    const err = await sdk('http:429').generations.create({ prompt: 'limited' }).catch((e) => e);
    assert.ok(err instanceof RateLimitError);
    assert.equal(err.headers.get('retry-after'), '1');
    assert.equal((await injected('http:429')) - before, 3, 'one try and two retries reached the server');
  });

  test('a failure_code fault fails the generation asynchronously; a key fault applies to its key', async () => {
    const client = sdk('content_moderated');
    const failed = await client.generations.createAndWait({ prompt: 'moderated on demand' }, { interval: 20 });
    assert.equal(failed.state, 'failed');
    assert.equal(failed.failure_code, 'content_moderated');
    assert.deepEqual(failed.output, []);

    const keyed = new Atelier({ apiKey: KEY_B, baseURL: `${ts.url}/v1`, env: {} });
    const byKey = await keyed.generations.createAndWait({ prompt: 'key scenario' }, { interval: 20 });
    assert.equal(byKey.failure_code, 'budget_exhausted');
  });
});
