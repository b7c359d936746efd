import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { startServer } from '../../src/server.js';
import { FAILURE_CODES, FAILURE_REASONS } from '../../src/contract/index.js';
import { metricValue, waitForState } from '../helpers/poll.js';
import { KEY_B, ManualClock, startTestServer, tempDir, waitForGeneration, type TestServer } from '../helpers/server.js';
import { routingFile } from '../helpers/gateway.js';

const FAULT = 'x-atelier-fault';

/** Status, detail and extra headers of each http:<status>, as the spec's §8.3 gives them. */
const HTTP_FAULTS: Record<number, string> = {
  400: 'Prompt must be between 1 and 6000 characters',
  401: 'Invalid API key',
  402: 'Insufficient credits. Please add credits to continue.',
  403: 'API client is suspended',
  404: 'Generation not found',
  413: 'source: image exceeds 50 MB limit',
  422: 'source: invalid base64 data',
  429: 'Rate limit exceeded',
  500: 'Internal server error',
  502: 'Upstream service unavailable',
  503: 'Image URL ingestion unavailable',
};

async function submit(ts: TestServer, body: unknown, headers: Record<string, string> = {}, key?: string) {
  const res = await ts.call('POST', '/v1/generations', { body, headers, key });
  return { res, body: (await res.json()) as any };
}

describe('X-Atelier-Fault on a submission', () => {
  let ts: TestServer;
  const clock = new ManualClock();
  before(async () => {
    ts = await startTestServer({ workers: '2', rpm: '1000' }, { clock });
  });
  after(() => ts.close());

  for (const code of FAILURE_CODES) {
    test(`${code}: the submit is a 201 and the generation then fails with that code and the spec's reason`, async () => {
      const { res, body } = await submit(ts, { prompt: `fails with ${code}` }, { [FAULT]: code });
      assert.equal(res.status, 201);
      assert.equal(body.state, 'queued');
      const done = await waitForGeneration(ts, body.id);
      assert.equal(done.state, 'failed');
      assert.equal(done.failure_code, code);
      assert.equal(done.failure_reason, FAILURE_REASONS[code]);
      assert.deepEqual(done.output, []);
    });
  }

  for (const [status, detail] of Object.entries(HTTP_FAULTS)) {
    test(`http:${status} answers ${status} {"detail": "${detail}"} with the spec's headers`, async () => {
      const { res, body } = await submit(ts, { prompt: 'http fault' }, { [FAULT]: `http:${status}` });
      assert.equal(res.status, Number(status));
      assert.deepEqual(body, { detail });
      assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
      assert.ok(res.headers.get('x-request-id'));
      assert.equal(res.headers.get('x-api-version'), '2026-04-01');
      if (status === '429') {
        assert.equal(res.headers.get('retry-after'), '1');
        assert.equal(res.headers.get('x-ratelimit-limit'), '1000');
        assert.equal(res.headers.get('x-ratelimit-remaining'), '0');
        assert.equal(res.headers.get('x-ratelimit-reset'), String(Math.ceil(clock.now() / 1000) + 1));
      } else {
        assert.equal(res.headers.get('retry-after'), null);
        assert.equal(res.headers.get('x-ratelimit-limit'), null);
      }
    });
  }

  test('an injected HTTP error creates no generation and takes no RPM slot', async () => {
    clock.advance(61_000); // an empty RPM window
    for (let i = 0; i < 10; i++) assert.equal((await submit(ts, { prompt: 'refused' }, { [FAULT]: 'http:502' })).res.status, 502);
    const { res } = await submit(ts, { prompt: 'after the refusals' });
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('x-ratelimit-remaining'), '999');
  });

  test('latency:<ms> keeps the generation queued, then processing, for that long on the server clock', async () => {
    const { body } = await submit(ts, { prompt: 'slow one' }, { [FAULT]: 'latency:60000' });
    assert.equal((await waitForGeneration(ts, (await submit(ts, { prompt: 'a quick one after it' })).body.id)).state, 'completed');
    assert.equal((await (await ts.call('GET', `/v1/generations/${body.id}`)).json()).state, 'queued');
    clock.advance(15_000);
    await waitForState(ts, body.id, 'processing');
    clock.advance(45_000);
    const done = await waitForState(ts, body.id, 'completed');
    assert.equal(done.output.length, 1);
  });

  test('stuck stays processing until the 10 minute timeout, then fails with generation_failed', async () => {
    const { body } = await submit(ts, { prompt: 'stuck one' }, { [FAULT]: 'stuck' });
    await waitForState(ts, body.id, 'processing');
    clock.advance(599_000);
    // A generation submitted after the advance finishing shows the workers looked again.
    await waitForGeneration(ts, (await submit(ts, { prompt: 'marker after 599 s' })).body.id);
    assert.equal((await (await ts.call('GET', `/v1/generations/${body.id}`)).json()).state, 'processing');
    clock.advance(1_000);
    const done = await waitForState(ts, body.id, 'failed');
    assert.equal(done.failure_code, 'generation_failed');
    assert.equal(done.failure_reason, 'Generation failed');
  });

  test('flaky:2 answers 502 to the first two tries of the same body, then succeeds, then starts again', async () => {
    const request = { prompt: 'flaky body' };
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await submit(ts, request, { [FAULT]: 'flaky:2' })).res.status);
    assert.deepEqual(statuses, [502, 502, 201, 502]);
    const other = await submit(ts, { prompt: 'another body' }, { [FAULT]: 'flaky:2' });
    assert.equal(other.res.status, 502, 'each body has its own count');
    assert.deepEqual(other.body, { detail: 'Upstream service unavailable' });
  });

  test('flaky counts tries by Idempotency-Key when one is sent, whatever the body', async () => {
    const headers = { [FAULT]: 'flaky:1', 'idempotency-key': 'retry-me-1' };
    assert.equal((await submit(ts, { prompt: 'first try' }, headers)).res.status, 502);
    assert.equal((await submit(ts, { prompt: 'second try, other body' }, headers)).res.status, 201);
  });

  test('a fault that is not one is a 400 naming the grammar; nothing is created', async () => {
    for (const value of ['explode', 'http:418', 'flaky:0', 'latency:-5', 'http:']) {
      const { res, body } = await submit(ts, { prompt: 'bad fault' }, { [FAULT]: value });
      assert.equal(res.status, 400, value);
      assert.equal(
        body.detail,
        `X-Atelier-Fault: '${value}' is not a fault. Use a failure_code, http:<status> (400, 401, 402, 403, 404, 413, 422, 429, 500, 502, 503), latency:<ms>, stuck or flaky:<n>`,
      );
    }
  });

  test('the header only touches submissions: a poll carrying it is answered normally', async () => {
    const { body } = await submit(ts, { prompt: 'polled with a fault header' });
    const res = await ts.call('GET', `/v1/generations/${body.id}`, { headers: { [FAULT]: 'http:500' } });
    assert.equal(res.status, 200);
  });

  test('a submit refused after validation injects nothing: its fault is not counted', async () => {
    const sample = 'atelier_faults_injected_total{fault="image_too_large",source="header"}';
    const before = await metricValue(ts, sample);
    const missing = '00000000-0000-4000-8000-000000000000';
    const { res } = await submit(ts, { prompt: 'refused', type: 'image_edit', source: { generation_id: missing } }, { [FAULT]: 'image_too_large' });
    assert.equal(res.status, 422);
    assert.equal(await metricValue(ts, sample), before);
  });

  test('every injected fault is counted in /metrics by fault and source', async () => {
    assert.equal(await metricValue(ts, 'atelier_faults_injected_total{fault="http:429",source="header"}'), 1);
    assert.equal(await metricValue(ts, 'atelier_faults_injected_total{fault="content_moderated",source="header"}'), 1);
    assert.equal(await metricValue(ts, 'atelier_faults_injected_total{fault="stuck",source="header"}'), 1);
    assert.equal(await metricValue(ts, 'atelier_faults_injected_total{fault="latency",source="header"}'), 1);
    // flaky: 2 + 1 on the body, 1 on the other body, 1 by idempotency key; the successes are not faults.
    assert.equal(await metricValue(ts, 'atelier_faults_injected_total{fault="flaky",source="header"}'), 5);
    // 502s: the table's one and the ten refusals.
    assert.equal(await metricValue(ts, 'atelier_faults_injected_total{fault="http:502",source="header"}'), 11);
  });

  test('KEY_B without a fault is unaffected by what KEY_A was told', async () => {
    const { res } = await submit(ts, { prompt: 'flaky body' }, {}, KEY_B);
    assert.equal(res.status, 201);
  });
});

test('a submit refused for credit inside its transaction counts no fault', async () => {
  const ts = await startTestServer({ workers: '0', credits: '0.01' });
  try {
    const { res } = await submit(ts, { prompt: 'no credit for this' }, { [FAULT]: 'stuck' });
    assert.equal(res.status, 402);
    assert.equal(await metricValue(ts, 'atelier_faults_injected_total{fault="stuck",source="header"}'), 0);
  } finally {
    await ts.close();
  }
});

describe('gateway mode', () => {
  test('refuses X-Atelier-Fault with a 400 that says why', async () => {
    // A gateway serves only routed models: uni-1 goes to preview on purpose here.
    const ts = await startTestServer({ workers: '0', mode: 'gateway', config: routingFile('engines:\n  draft: { type: preview }\nmodels:\n  uni-1: { engines: [draft] }\n') });
    try {
      const { res, body } = await submit(ts, { prompt: 'no faults here' }, { [FAULT]: 'http:500' });
      assert.equal(res.status, 400);
      assert.deepEqual(body, { detail: 'X-Atelier-Fault: faults are an emulator feature and this server runs in gateway mode' });
      assert.equal((await submit(ts, { prompt: 'no faults here' })).res.status, 201);
    } finally {
      await ts.close();
    }
  });
});

test('an injected fault is logged with the fault, its source, the key and the request id', async () => {
  const lines: any[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  const config = loadConfig({ port: '0', dataDir: tempDir(), apiKeys: KEY_B, workers: '0' }, {});
  const server = await startServer(config, { logger });
  try {
    const res = await fetch(`${server.url}/v1/generations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY_B}`, 'content-type': 'application/json', [FAULT]: 'http:503', 'x-request-id': 'fault-log-1' },
      body: JSON.stringify({ prompt: 'log me' }),
    });
    assert.equal(res.status, 503);
    const line = lines.find((l) => l.msg === 'fault injected');
    assert.ok(line, 'a "fault injected" line');
    assert.equal(line.fault, 'http:503');
    assert.equal(line.source, 'header');
    assert.equal(line.reqId, 'fault-log-1');
    assert.equal(typeof line.keyId, 'string');
  } finally {
    await server.close();
  }
});
