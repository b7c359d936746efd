import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('GET /v1/usage with dates out of range', () => {
  let ts: TestServer;
  before(async () => {
    ts = await startTestServer({ workers: '0' });
  });
  after(() => ts.close());

  const usage = async (query: string) => {
    const res = await ts.call('GET', `/v1/usage?${query}`);
    return { status: res.status, body: await res.json() };
  };

  test('the extremes Date accepts are a 400 naming the field, never a 500', async () => {
    for (const [query, path] of [
      ['end=-271821-04-20T00:00:00Z', 'end'],
      ['start=-271821-04-20T00:00:00Z', 'start'],
      ['end=%2B275760-09-13T00:00:00Z', 'end'],
      ['start=-000001-01-01T00:00:00Z&end=2026-01-01T00:00:00Z', 'start'],
      ['end=%2B010000-01-01T00:00:00Z', 'end'],
    ]) {
      assert.deepEqual(await usage(query), { status: 400, body: { detail: `${path}: must be between 0000-01-01 and 9999-12-31` } }, query);
    }
  });

  test('the edges of the range are answered', async () => {
    assert.equal((await usage('start=0000-01-01T00:00:00Z&end=9999-12-31T23:59:59Z&group_by=day')).status, 200);
    assert.equal((await usage('end=0000-01-10T00:00:00Z')).status, 200, 'the default start is clamped to the range');
  });
});
