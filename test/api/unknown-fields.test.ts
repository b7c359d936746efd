import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { solidImage } from '../helpers/images.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { testClip } from '../helpers/video.js';

const JUNK = 'j'.repeat(1024 * 1024);

describe('unknown fields are ignored at every depth, never stored', () => {
  let ts: TestServer;
  let png: string;
  let clip: string;
  let images: http.Server;
  let imageUrl: string;
  before(async () => {
    ts = await startTestServer({ workers: '0' });
    const bytes = await solidImage(16, 16);
    png = bytes.toString('base64');
    images = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end(bytes));
    await new Promise<void>((resolve) => images.listen(0, '127.0.0.1', resolve));
    imageUrl = `http://127.0.0.1:${(images.address() as AddressInfo).port}`;
    clip = (await testClip(64, 36, 1)).toString('base64');
  });
  after(async () => {
    await ts.close();
    await new Promise((resolve) => images.close(resolve));
  });

  async function storedRequest(body: object): Promise<string> {
    const res = await ts.call('POST', '/v1/generations', { body });
    const created = await res.json();
    assert.equal(res.status, 201, JSON.stringify(created));
    const row = await ts.server.store.db.selectFrom('generations').select('request').where('id', '=', created.id).executeTakeFirstOrThrow();
    return row.request;
  }

  test('inside source and image_ref[i], at the top and in layering', async () => {
    const stored = await storedRequest({
      prompt: 'p',
      type: 'image_edit',
      junk_top: JUNK,
      source: { data: png, media_type: 'image/png', junk_source: JUNK },
      image_ref: [{ data: png, media_type: 'image/png', junk_ref: JUNK }, { url: `${imageUrl}/a.png`, junk_url_ref: JUNK }],
    });
    assert.ok(!/junk/.test(stored) && stored.length < 4096, stored.slice(0, 500));
    const layered = await storedRequest({ prompt: '', type: 'layering', source: { data: png, media_type: 'image/png' }, layering: { resolution: '1k', junk_layering: JUNK } });
    assert.ok(!/junk/.test(layered) && layered.length < 4096, layered.slice(0, 500));
  });

  test('inside video.source_position and video.edit.controls', async () => {
    const source = { data: clip, media_type: 'video/mp4', junk_video_source: JUNK };
    const reframe = await storedRequest({
      prompt: 'p',
      model: 'ray-3.2',
      type: 'video_reframe',
      aspect_ratio: '1:1',
      source,
      video: { resolution: '360p', junk_video: JUNK, source_position: { x_norm: 0, y_norm: 0, w_norm: 1, h_norm: 1, junk_position: JUNK } },
    });
    assert.ok(!/junk/.test(reframe) && reframe.length < 4096, reframe.slice(0, 500));
    const edit = await storedRequest({
      prompt: 'p',
      model: 'ray-3.2',
      type: 'video_edit',
      source,
      video: { resolution: '360p', edit: { junk_edit: JUNK, controls: { junk_controls: JUNK, depth: { enabled: true, blur: 0.5, junk_depth: JUNK } } } },
    });
    assert.ok(!/junk/.test(edit) && edit.length < 4096, edit.slice(0, 500));
    assert.match(edit, /"depth":\{"enabled":true,"blur":0.5\}/);
  });
});
