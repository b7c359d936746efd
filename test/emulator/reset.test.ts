import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { solidImage } from '../helpers/images.js';
import { generate, KEY_A, startTestServer, type TestServer } from '../helpers/server.js';

const ADMIN = 'reset-admin-token';

describe('reset between tests', () => {
  let ts: TestServer;
  const admin = (method: string, route: string, body?: unknown) =>
    ts.call(method, `/admin/v1${route}`, { body, key: null, headers: { authorization: `Bearer ${ADMIN}` } });
  before(async () => {
    ts = await startTestServer({ workers: '2', adminToken: ADMIN });
  });
  after(() => ts.close());

  test('POST /admin/v1/reset empties generations, files and blobs; clients, keys and balances stay right', async () => {
    const done = await generate(ts, { prompt: 'before the reset' });
    assert.equal(done.state, 'completed');
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(await solidImage(32, 32))], { type: 'image/png' }), 'a.png');
    const upload = await fetch(`${ts.url}/v1/files`, { method: 'POST', headers: { authorization: `Bearer ${KEY_A}` }, body: form });
    assert.equal(upload.status, 201, await upload.clone().text());

    // A metered client with a generation held open by a stuck fault: the reset refunds its hold.
    const created = await (await admin('POST', '/clients', { name: 'metered', credits_usd: 1 })).json();
    const stuck = await ts.call('POST', '/v1/generations', { body: { prompt: 'stuck' }, key: created.key, headers: { 'x-atelier-fault': 'stuck' } });
    assert.equal(stuck.status, 201);
    const before = (await (await admin('GET', `/clients/${created.client.id}`)).json()).balance_micros;
    assert.ok(before < 1_000_000, 'the hold is taken');

    const res = await admin('POST', '/reset');
    assert.equal(res.status, 200);
    const counts = await res.json();
    assert.equal(counts.files, 1);
    assert.ok(counts.generations >= 2);

    assert.equal((await ts.call('GET', `/v1/generations/${done.id}`)).status, 404);
    assert.deepEqual((await (await ts.call('GET', '/v1/files')).json()).data, []);
    for (const prefix of ['generations', 'files']) {
      const dir = path.join(ts.dataDir, 'blobs', prefix);
      assert.ok(!fs.existsSync(dir) || fs.readdirSync(dir).length === 0, `${prefix} blobs are gone`);
    }
    assert.equal((await (await admin('GET', `/clients/${created.client.id}`)).json()).balance_micros, 1_000_000, 'the open hold was refunded');
    const ledger = (await (await admin('GET', `/clients/${created.client.id}/ledger`)).json()).data;
    assert.equal(ledger.reduce((sum: number, e: { amount_micros: number }) => sum + e.amount_micros, 0), 1_000_000, 'the balance equals its ledger');

    // The same key keeps working after the reset.
    assert.equal((await generate(ts, { prompt: 'after the reset' })).state, 'completed');
  });

  test('atelier reset does the same from the command line', async () => {
    await generate(ts, { prompt: 'one more' });
    const result = await runCli('atelier', ['reset', '--url', ts.url], { env: { ATELIER_ADMIN_TOKEN: ADMIN } });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(JSON.parse(result.stdout).generations >= 1);
    const list = await runCli('atelier', ['reset', '--url', ts.url, '--json'], { env: { ATELIER_ADMIN_TOKEN: ADMIN } });
    assert.deepEqual(JSON.parse(list.stdout), { generations: 0, files: 0 });
  });

  test('gateway mode refuses a reset', async () => {
    const gateway = await startTestServer({ workers: '0', adminToken: ADMIN, mode: 'gateway' });
    try {
      const res = await fetch(`${gateway.url}/admin/v1/reset`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}` } });
      assert.equal(res.status, 409);
      assert.deepEqual(await res.json(), { detail: 'Reset is an emulator feature and this server runs in gateway mode' });
    } finally {
      await gateway.close();
    }
  });
});
