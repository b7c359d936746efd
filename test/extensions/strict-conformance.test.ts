import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.js';

const SPEC_KEYS = ['id', 'type', 'state', 'model', 'created_at', 'output', 'failure_reason', 'failure_code'];
const SPEC_HEADERS = ['x-request-id', 'x-api-version', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'retry-after', 'content-type', 'allow'];

/** One step's status, the spec's headers (values that vary per request masked) and the spec's fields of the body. */
interface Seen {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  keys: string[];
}

const mask = (value: unknown): unknown =>
  JSON.parse(
    JSON.stringify(value)
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>')
      .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/g, '<time>')
      .replace(/http:\/\/127\.0\.0\.1:\d+\/v1\/blobs\/[^"]+/g, '<url>'),
  );

async function seen(res: Response): Promise<Seen> {
  const text = await res.text();
  const body = text ? JSON.parse(text) : null;
  const headers: Record<string, string> = {};
  for (const name of SPEC_HEADERS) {
    const value = res.headers.get(name);
    if (value !== null) headers[name] = name === 'x-request-id' ? '<id>' : value;
  }
  const spec = body && typeof body === 'object' && 'state' in body ? Object.fromEntries(SPEC_KEYS.map((k) => [k, body[k]])) : body;
  return { status: res.status, headers, body: mask(spec), keys: body && typeof body === 'object' ? Object.keys(body) : [] };
}

/** The flow a client written only for the Luma API goes through: submit, poll to the end, refusals. */
async function specFlow(ts: TestServer): Promise<Seen[]> {
  const steps: Seen[] = [];
  const submit = (body: unknown, key?: null) => ts.call('POST', '/v1/generations', { body, key });
  const created = await submit({ prompt: 'A paper crane on a desk', aspect_ratio: '1:1', output_format: 'png' });
  const { id } = (await created.clone().json()) as { id: string };
  steps.push(await seen(created));
  let last: Seen;
  const states: string[] = [];
  for (;;) {
    last = await seen(await ts.call('GET', `/v1/generations/${id}`));
    const state = (last.body as { state: string }).state;
    if (states[states.length - 1] !== state) states.push(state);
    if (state === 'completed' || state === 'failed') break;
    await new Promise((r) => setTimeout(r, 20));
  }
  steps.push(last);
  steps.push(await seen(await submit({ prompt: '' })));
  steps.push(await seen(await submit({ prompt: 'x', model: 'dall-e' })));
  steps.push(await seen(await submit({ prompt: 'x' }, null)));
  steps.push(await seen(await ts.call('GET', '/v1/generations/d290f1ee-6c54-4b01-90e6-d701748f0851')));
  steps.push(await seen(await ts.call('GET', '/v1/generations/not-a-uuid')));
  steps.push(await seen(await ts.call('DELETE', `/v1/generations/${id}`)));
  return steps;
}

describe('spec-only conformance, extensions on and --strict', () => {
  test('a spec-only client sees the same statuses, headers and spec fields; under --strict, nothing more', async () => {
    const flows: Seen[][] = [];
    for (const strict of ['false', 'true']) {
      const ts = await startTestServer({ workers: '1', rpm: '30', strict });
      try {
        flows.push(await specFlow(ts));
      } finally {
        await ts.close();
      }
    }
    const [extended, strict] = flows;
    assert.deepEqual(
      extended.map(({ status, headers, body }) => ({ status, headers, body })),
      strict.map(({ status, headers, body }) => ({ status, headers, body })),
    );
    for (const step of strict) if (step.keys.includes('state')) assert.deepEqual(step.keys, SPEC_KEYS);
    // With extensions on, the only extra keys are the documented extension fields.
    for (const step of extended) for (const key of step.keys) assert.ok([...SPEC_KEYS, 'detail', 'queue', 'progress', 'cancelled_at'].includes(key), key);
  });
});
