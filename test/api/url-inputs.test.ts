import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** The served default: URL inputs must be public https. */
describe('URL inputs with the default policy', () => {
  let ts: TestServer;
  before(async () => {
    ts = await startTestServer({ allowPrivateUrls: 'false' });
  });
  after(() => ts.close());

  const cases: Array<[string, string, number, string]> = [
    ['plain http', 'http://example.com/a.png', 422, 'image_ref[0]: url must use https'],
    ['loopback', 'https://127.0.0.1:9/a.png', 422, "image_ref[0]: url host '127.0.0.1' is not a public address (loopback)"],
    ['cloud metadata', 'https://169.254.169.254/latest/meta-data/', 422, "image_ref[0]: url host '169.254.169.254' is not a public address (linkLocal)"],
    ['Azure host endpoint', 'https://168.63.129.16/machine?comp=goalstate', 422, "image_ref[0]: url host '168.63.129.16' is not a public address (cloudHostEndpoint)"],
    ['IPv4-mapped loopback', 'https://[::ffff:127.0.0.1]/a.png', 422, "image_ref[0]: url host '::ffff:7f00:1' is not a public address (loopback)"],
    ['a name for loopback', 'https://localhost:9/a.png', 422, "image_ref[0]: url host 'localhost' is not a public address (loopback)"],
  ];
  for (const [name, url, status, detail] of cases) {
    test(`${name} is refused at submit with ${status}`, async () => {
      const res = await ts.call('POST', '/v1/generations', { body: { prompt: 'p', image_ref: [{ url }] } });
      assert.equal(res.status, status);
      assert.deepEqual(await res.json(), { detail });
    });
  }

  test('the server keeps answering after the refusals', async () => {
    const res = await ts.call('POST', '/v1/generations', { body: { prompt: 'still here' } });
    assert.equal(res.status, 201);
  });
});
