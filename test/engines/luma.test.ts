import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { download, generate, startTestServer, type TestServer } from '../helpers/server.js';
import { imageInfo } from '../helpers/images.js';
import { lumaEntry, startGateway } from '../helpers/gateway.js';

describe('luma engine against Atelier as the upstream', () => {
  let upstream: TestServer;
  let gateway: TestServer;
  before(async () => {
    upstream = await startTestServer();
    gateway = await startGateway(
      `engines:\n${lumaEntry('luma', upstream)}\nmodels:\n  uni-1:\n    engines: [luma]\n  ray-3.2:\n    engines: [luma]\n`,
      { mode: 'gateway' },
    );
  });
  after(async () => {
    await gateway?.close();
    await upstream?.close();
  });

  test('an image is generated upstream, copied into our blob store and served from our URL', async () => {
    const done = await generate(gateway, { prompt: 'a paper boat', aspect_ratio: '16:9', output_format: 'png' });
    assert.equal(done.state, 'completed', JSON.stringify(done));
    assert.ok(done.output[0].url.startsWith(gateway.url), done.output[0].url);
    const info = await imageInfo(await download(done.output[0].url));
    assert.equal(info.format, 'png');
  });
});
