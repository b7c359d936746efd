import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { callbackSignature } from '../../src/engines/remote/callbacks.js';
import { loadSecret } from '../../src/storage/index.js';
import { engineCallbacks } from '../../src/store/index.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('POST /engine-callbacks/{engine}/{upstream id}: a backend posting about its job', () => {
  let ts: TestServer;
  let secret: Buffer;
  before(async () => {
    ts = await startTestServer();
    secret = loadSecret(ts.dataDir);
  });
  after(() => ts.close());

  const post = (engine: string, id: string, signature: string, body: unknown) =>
    fetch(`${ts.url}/engine-callbacks/${engine}/${id}?signature=${signature}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  test('a post without the signature Atelier minted is refused with the catalogue detail, and nothing is stored', async () => {
    const res = await post('flux', 'abc', callbackSignature(secret, 'flux', 'other'), { status: 'succeeded' });
    assert.equal(res.status, 403);
    assert.deepEqual(await res.json(), { detail: 'Engine callback signature is invalid' });
    assert.equal(await engineCallbacks.getCallback(ts.server.store.db, 'flux', 'abc'), undefined);
    assert.equal((await post('flux', 'abc', '', {})).status, 403);
  });

  test('the latest post is kept until a terminal one, which later posts no longer replace', async () => {
    const sign = callbackSignature(secret, 'flux', 'pred1');
    assert.equal((await post('flux', 'pred1', sign, { id: 'pred1', status: 'processing', logs: '10%|' })).status, 200);
    assert.deepEqual(await engineCallbacks.getCallback(ts.server.store.db, 'flux', 'pred1'), { payload: JSON.stringify({ id: 'pred1', status: 'processing', logs: '10%|' }), terminal: 0 });
    await post('flux', 'pred1', sign, { id: 'pred1', status: 'succeeded', output: ['data:image/png;base64,AAAA'] });
    await post('flux', 'pred1', sign, { id: 'pred1', status: 'processing', logs: 'late' });
    const row = await engineCallbacks.getCallback(ts.server.store.db, 'flux', 'pred1');
    assert.equal(row?.terminal, 1);
    assert.equal(JSON.parse(row!.payload).status, 'succeeded');
  });

  test('other methods are 405', async () => {
    const res = await fetch(`${ts.url}/engine-callbacks/flux/pred1`);
    assert.equal(res.status, 405);
  });
});
