import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestServer } from '../helpers/server.js';
import { routingFile } from '../helpers/gateway.js';

const ROUTING = 'engines:\n  draft: { type: preview }\nmodels:\n  team-sketch:\n    serves: [image]\n    engines: [draft]\n    price_usd: 0.002\n';

test('in emulator mode a routing file adds models to the spec\'s; GET /v1/models lists them and --strict removes the endpoint', async () => {
  const ts = await startTestServer({ workers: '1', config: routingFile(ROUTING) });
  try {
    const models = await (await ts.call('GET', '/v1/models')).json();
    assert.deepEqual(models.data.map((m: { id: string }) => m.id), ['uni-1', 'uni-1-max', 'ray-3.2', 'team-sketch']);
    const res = await ts.call('POST', '/v1/generations', { body: { prompt: 'a sketch', model: 'team-sketch' } });
    assert.equal(res.status, 201);
    const edit = await ts.call('POST', '/v1/generations', { body: { prompt: 'x', model: 'team-sketch', type: 'video' } });
    assert.equal(edit.status, 400);
    assert.deepEqual(await edit.json(), { detail: "Type 'video' is not supported for model 'team-sketch'" });
    const unknown = await ts.call('POST', '/v1/generations', { body: { prompt: 'x', model: 'team-other' } });
    assert.deepEqual(await unknown.json(), { detail: 'Unknown model: team-other' });
  } finally {
    await ts.close();
  }
  const strict = await startTestServer({ workers: '0', strict: 'true', config: routingFile(ROUTING) });
  try {
    assert.equal((await strict.call('GET', '/v1/models')).status, 404);
    const openapi = await (await fetch(`${strict.url}/openapi.json`)).json();
    assert.equal(openapi.paths['/v1/models'], undefined);
  } finally {
    await strict.close();
  }
});
