import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { startServer } from '../../src/server.js';
import { metricValue, waitForState } from '../helpers/poll.js';
import { KEY_A, KEY_B, ManualClock, startTestServer, tempDir, waitForGeneration, type TestServer } from '../helpers/server.js';

const ADMIN = 'emulator-admin-token';
const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/atelier.js');

describe('per-key faults: stored with the key (admin API) and from ATELIER_KEY_FAULTS', () => {
  let ts: TestServer;
  let clientId: string;
  const clock = new ManualClock();
  const admin = (method: string, route: string, body?: unknown) => ts.call(method, `/admin/v1${route}`, { key: ADMIN, body });
  /** A new key of the test client whose stored fault is `fault`. */
  const keyWith = async (fault: string) => {
    const res = await admin('POST', `/clients/${clientId}/keys`, { fault });
    assert.equal(res.status, 201);
    const created = await res.json();
    assert.equal(created.fault, fault);
    return created as { id: string; key: string };
  };
  const submit = async (key: string, prompt: string, headers: Record<string, string> = {}) => {
    const res = await ts.call('POST', '/v1/generations', { key, body: { prompt }, headers });
    return { res, body: (await res.json()) as any };
  };

  before(async () => {
    ts = await startTestServer({ workers: '2', adminToken: ADMIN, keyFaults: JSON.stringify({ [KEY_B]: 'content_moderated' }) }, { clock });
    const created = await (await admin('POST', '/clients', { name: 'fault scenarios' })).json();
    clientId = created.client.id;
  });
  after(() => ts.close());

  test('a failure_code fault fails every generation of the key asynchronously', async () => {
    const { key } = await keyWith('output_not_found');
    for (const prompt of ['one', 'two']) {
      const { res, body } = await submit(key, prompt);
      assert.equal(res.status, 201);
      const done = await waitForGeneration(ts, body.id, key);
      assert.equal(done.failure_code, 'output_not_found');
      assert.equal(done.failure_reason, 'Output artifacts not found');
    }
  });

  test('an http fault answers every submission of the key with that error', async () => {
    const { key } = await keyWith('http:429');
    const { res, body } = await submit(key, 'limited');
    assert.equal(res.status, 429);
    assert.deepEqual(body, { detail: 'Rate limit exceeded' });
    assert.equal(res.headers.get('retry-after'), '1');
    assert.equal(res.headers.get('x-ratelimit-remaining'), '0');
  });

  test('a latency fault keeps each generation of the key running that long', async () => {
    const { key } = await keyWith('latency:8000');
    const { body } = await submit(key, 'slow key');
    await waitForGeneration(ts, (await submit(KEY_A, 'marker')).body.id);
    assert.equal((await (await ts.call('GET', `/v1/generations/${body.id}`, { key })).json()).state, 'queued');
    clock.advance(2_000);
    await waitForState(ts, body.id, 'processing', { key });
    clock.advance(6_000);
    await waitForState(ts, body.id, 'completed', { key });
  });

  test('a stuck key never finishes before the timeout', async () => {
    const { key } = await keyWith('stuck');
    const { body } = await submit(key, 'stuck key');
    await waitForState(ts, body.id, 'processing', { key });
    clock.advance(600_000);
    const done = await waitForState(ts, body.id, 'failed', { key });
    assert.equal(done.failure_code, 'generation_failed');
  });

  test('a flaky key fails the first tries of each request with 502', async () => {
    const { key } = await keyWith('flaky:1');
    assert.equal((await submit(key, 'retry me')).res.status, 502);
    assert.equal((await submit(key, 'retry me')).res.status, 201);
  });

  test('the header wins over the key; clearing the fault restores normal service', async () => {
    const { id, key } = await keyWith('http:503');
    const { res, body } = await submit(key, 'header wins', { 'x-atelier-fault': 'rate_limited' });
    assert.equal(res.status, 201);
    assert.equal((await waitForGeneration(ts, body.id, key)).failure_code, 'rate_limited');
    const optedOut = await submit(key, 'no fault for this one', { 'x-atelier-fault': 'none' });
    assert.equal(optedOut.res.status, 201);
    assert.equal((await waitForGeneration(ts, optedOut.body.id, key)).state, 'completed');
    assert.equal((await submit(key, 'an empty header is no header', { 'x-atelier-fault': '' })).res.status, 503);

    const cleared = await admin('PATCH', `/keys/${id}`, { fault: 'none' });
    assert.equal(cleared.status, 200);
    assert.equal((await cleared.json()).fault, null);
    const normal = await submit(key, 'fault cleared');
    assert.equal(normal.res.status, 201);
    assert.equal((await waitForGeneration(ts, normal.body.id, key)).state, 'completed');
  });

  test('ATELIER_KEY_FAULTS gives KEY_B its scenario; KEY_A has none', async () => {
    const b = await submit(KEY_B, 'configured key');
    assert.equal((await waitForGeneration(ts, b.body.id, KEY_B)).failure_code, 'content_moderated');
    const a = await submit(KEY_A, 'configured key');
    assert.equal((await waitForGeneration(ts, a.body.id)).state, 'completed');
  });

  test('a bad fault is refused by the admin API with the grammar', async () => {
    const res = await admin('POST', `/clients/${clientId}/keys`, { fault: 'http:999' });
    assert.equal(res.status, 400);
    assert.match((await res.json()).detail, /^fault: 'http:999' is not a fault\. Use a failure_code, http:<status>/);
  });

  test('a key fault is stored and returned in canonical form, whatever spacing and zeros it was given with', async () => {
    const res = await admin('POST', `/clients/${clientId}/keys`, { fault: '  latency:0250 ' });
    assert.equal(res.status, 201);
    const created = await res.json();
    assert.equal(created.fault, 'latency:250');
    const patched = await admin('PATCH', `/keys/${created.id}`, { fault: '\thttp:0503 ' });
    assert.equal(patched.status, 200);
    assert.equal((await patched.json()).fault, 'http:503');
    const listed = await (await admin('GET', `/clients/${clientId}/keys`)).json();
    assert.equal(listed.data.find((k: { id: string }) => k.id === created.id).fault, 'http:503');
  });

  test('key faults are counted by source', async () => {
    assert.equal(await metricValue(ts, 'atelier_faults_injected_total{fault="output_not_found",source="key"}'), 2);
    assert.equal(await metricValue(ts, 'atelier_faults_injected_total{fault="http:429",source="key"}'), 1);
    assert.equal(await metricValue(ts, 'atelier_faults_injected_total{fault="content_moderated",source="config"}'), 1);
    assert.equal(await metricValue(ts, 'atelier_faults_injected_total{fault="rate_limited",source="header"}'), 1);
  });
});

test('ATELIER_KEY_FAULTS naming an unknown key stops the start with a configuration error', async () => {
  const config = loadConfig({ port: '0', dataDir: tempDir(), apiKeys: KEY_A, keyFaults: JSON.stringify({ [KEY_B]: 'stuck' }) }, {});
  await assert.rejects(startServer(config), /ATELIER_KEY_FAULTS names a key this server doesn't know/);
});

test('atelier keys create/update --fault, on a data dir and against the running server', { timeout: 60_000 }, async () => {
  const run = promisify(execFile);
  const dataDir = tempDir();
  const atelier = async (args: string[], env: NodeJS.ProcessEnv = {}) =>
    JSON.parse((await run(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } })).stdout);
  const { client } = await atelier(['clients', 'create', '--name', 'cli faults', '--data-dir', dataDir]);
  const created = await atelier(['keys', 'create', client.id, '--fault', 'http:503', '--data-dir', dataDir]);
  assert.equal(created.fault, 'http:503');
  await assert.rejects(run(process.execPath, [CLI, 'keys', 'create', client.id, '--fault', 'nope', '--data-dir', dataDir]), /is not a fault/);

  const ts = await startTestServer({ dataDir, workers: '1', adminToken: ADMIN });
  try {
    const post = () => ts.call('POST', '/v1/generations', { key: created.key, body: { prompt: 'cli key' } });
    assert.equal((await post()).status, 503);
    const updated = await atelier(['keys', 'update', created.id, '--fault', 'none'], { ATELIER_URL: ts.url, ATELIER_ADMIN_TOKEN: ADMIN });
    assert.equal(updated.fault, null);
    assert.equal((await post()).status, 201);
  } finally {
    await ts.close();
  }
});

describe('ATELIER_KEY_FAULTS: every kind of fault as a configured key scenario', () => {
  const keys = {
    failure: 'luma-api-config-failure-0123456789',
    http: 'luma-api-config-http-0123456789',
    latency: 'luma-api-config-latency-0123456789',
    stuck: 'luma-api-config-stuck-0123456789',
    flaky: 'luma-api-config-flaky-0123456789',
  };
  const clock = new ManualClock();
  let ts: TestServer;
  const submit = async (key: string, prompt: string) => {
    const res = await ts.call('POST', '/v1/generations', { key, body: { prompt } });
    return { res, body: (await res.json()) as any };
  };
  before(async () => {
    const keyFaults = { [keys.failure]: 'invalid_request', [keys.http]: 'http:403', [keys.latency]: 'latency:4000', [keys.stuck]: 'stuck', [keys.flaky]: 'flaky:2' };
    ts = await startTestServer({ workers: '2', apiKeys: [KEY_A, ...Object.values(keys)].join(','), keyFaults: JSON.stringify(keyFaults) }, { clock });
  });
  after(() => ts.close());

  test('failure_code', async () => {
    const { body } = await submit(keys.failure, 'configured failure');
    const done = await waitForGeneration(ts, body.id, keys.failure);
    assert.equal(done.failure_code, 'invalid_request');
    assert.equal(done.failure_reason, 'The request was rejected during processing');
  });

  test('http:<status>', async () => {
    const { res, body } = await submit(keys.http, 'configured http');
    assert.equal(res.status, 403);
    assert.deepEqual(body, { detail: 'API client is suspended' });
  });

  test('latency:<ms>', async () => {
    const { body } = await submit(keys.latency, 'configured latency');
    await waitForGeneration(ts, (await submit(KEY_A, 'marker')).body.id);
    assert.equal((await (await ts.call('GET', `/v1/generations/${body.id}`, { key: keys.latency })).json()).state, 'queued');
    clock.advance(1_000);
    await waitForState(ts, body.id, 'processing', { key: keys.latency });
    clock.advance(3_000);
    await waitForState(ts, body.id, 'completed', { key: keys.latency });
  });

  test('stuck', async () => {
    const { body } = await submit(keys.stuck, 'configured stuck');
    await waitForState(ts, body.id, 'processing', { key: keys.stuck });
    clock.advance(600_000);
    assert.equal((await waitForState(ts, body.id, 'failed', { key: keys.stuck })).failure_code, 'generation_failed');
  });

  test('flaky:<n>', async () => {
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await submit(keys.flaky, 'configured flaky')).res.status);
    assert.deepEqual(statuses, [502, 502, 201]);
  });

  test('all counted with source="config"', async () => {
    for (const [fault, n] of [['invalid_request', 1], ['http:403', 1], ['latency', 1], ['stuck', 1], ['flaky', 2]] as const) {
      assert.equal(await metricValue(ts, `atelier_faults_injected_total{fault="${fault}",source="config"}`), n, fault);
    }
  });
});
