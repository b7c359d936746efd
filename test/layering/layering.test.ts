import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { download, generate, startTestServer, waitForGeneration, type TestServer } from '../helpers/server.js';

/** The fixture: a shaded red ball on a wall-and-floor backdrop, 320×240. */
const W = 320;
const H = 240;
const BALL = { cx: 160, cy: 120, r: 65 };
const fixture = () =>
  sharp(
    Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">
<defs><radialGradient id="s" cx="0.38" cy="0.35" r="0.7"><stop offset="0" stop-color="#ff9a80"/><stop offset="0.5" stop-color="#d8322a"/><stop offset="1" stop-color="#6e0f0b"/></radialGradient></defs>
<rect width="${W}" height="${H}" fill="#e8e4dc"/><rect y="170" width="${W}" height="70" fill="#cfc8bb"/>
<ellipse cx="165" cy="192" rx="60" ry="10" fill="#a79e90"/><circle cx="${BALL.cx}" cy="${BALL.cy}" r="${BALL.r}" fill="url(#s)"/></svg>`),
  )
    .png()
    .toBuffer();

const raw = async (bytes: Buffer) => sharp(bytes).raw().toBuffer({ resolveWithObject: true });

describe('type layering: a real decomposition', () => {
  let ts: TestServer;
  let source: Buffer;
  let oneK: any;
  before(async () => {
    ts = await startTestServer({ workers: '2' });
    source = await fixture();
    // The model loads once in the server process; both generations below share it.
    const res = await ts.call('POST', '/v1/generations', {
      body: { prompt: '', type: 'layering', source: { data: source.toString('base64'), media_type: 'image/png' } },
    });
    assert.equal(res.status, 201, await res.clone().text());
    oneK = await waitForGeneration(ts, (await res.json()).id, undefined, 300_000);
  });
  after(() => ts.close());

  test('completes with a subject layer then the background, each with its layer metadata', () => {
    assert.equal(oneK.state, 'completed', JSON.stringify(oneK));
    assert.equal(oneK.output.length, 2);
    const [subject, background] = oneK.output;
    for (const item of oneK.output) {
      assert.equal(item.type, 'image');
      assert.match(item.url, /^http:\/\/127\.0\.0\.1:\d+\/v1\/blobs\//);
    }
    assert.deepEqual(
      oneK.output.map((o: any) => [o.layer.index, o.layer.label, o.layer.alpha_hint]),
      [
        [0, 'subject', 'hard'],
        [1, 'background', 'none'],
      ],
    );
    assert.match(subject.layer.description, /subject/);
    assert.match(background.layer.description, /filled in/);
    // 1k: the long side is 1024, so the fixture scales by 3.2; the ball spans 95..225 × 55..185.
    assert.deepEqual(background.layer.bounds, { x: 0, y: 0, width: 1024, height: 768 });
    const b = subject.layer.bounds;
    const near = (value: number, expected: number) => Math.abs(value - expected) <= 16;
    assert.ok(near(b.x, 95 * 3.2) && near(b.y, 55 * 3.2) && near(b.width, 130 * 3.2) && near(b.height, 130 * 3.2), JSON.stringify(b));
  });

  test('the subject PNG has real alpha: opaque over the ball, clear in the corners and away from it', async () => {
    const png = await download(oneK.output[0].url);
    const { data, info } = await raw(png);
    assert.deepEqual([info.width, info.height, info.channels], [1024, 768, 4]);
    assert.equal((await sharp(png).metadata()).format, 'png');
    const alpha = (x: number, y: number) => data[(y * info.width + x) * 4 + 3];
    const s = 3.2;
    for (const [x, y] of [[0, 0], [1023, 0], [0, 767], [1023, 767]]) assert.equal(alpha(x, y), 0, `corner ${x},${y}`);
    let inside = 0;
    let insideOpaque = 0;
    let outside = 0;
    let outsideClear = 0;
    for (let y = 0; y < info.height; y += 2) {
      for (let x = 0; x < info.width; x += 2) {
        const d = Math.hypot(x / s - BALL.cx, y / s - BALL.cy);
        if (d < BALL.r - 3) {
          inside++;
          if (alpha(x, y) >= 250) insideOpaque++;
        } else if (d > BALL.r + 4) {
          outside++;
          if (alpha(x, y) <= 8) outsideClear++;
        }
      }
    }
    assert.ok(insideOpaque / inside > 0.98, `opaque inside the ball: ${insideOpaque}/${inside}`);
    assert.ok(outsideClear / outside > 0.98, `clear outside the ball: ${outsideClear}/${outside}`);
  });

  test('the background is opaque and has the ball filled from the backdrop around it', async () => {
    const png = await download(oneK.output[1].url);
    const meta = await sharp(png).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height, meta.hasAlpha], ['png', 1024, 768, false]);
    const { data, info } = await raw(png);
    const at = (x: number, y: number) => [...data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3)];
    // Where the ball was, the fill is the pale backdrop (#e8e4dc / #cfc8bb), not red.
    for (const [x, y] of [[BALL.cx, BALL.cy], [BALL.cx - 40, BALL.cy - 30], [BALL.cx + 30, BALL.cy + 40]]) {
      const [r, g, b] = at(Math.round(x * 3.2), Math.round(y * 3.2));
      assert.ok(r > 170 && g > 160 && b > 150 && r - g < 25, `fill at ${x},${y} is ${r},${g},${b}`);
    }
    // Away from the ball it is the source itself.
    assert.deepEqual(at(20, 20), [0xe8, 0xe4, 0xdc]);
  });

  test('compositing the layers back, front over back, gives the source within a small error', async () => {
    const [subject, background] = await Promise.all(oneK.output.map((o: any) => download(o.url)));
    const composed = await sharp(background).composite([{ input: subject }]).removeAlpha().raw().toBuffer();
    const reference = await sharp(source).resize(1024, 768, { fit: 'fill' }).removeAlpha().raw().toBuffer();
    assert.equal(composed.length, reference.length);
    let total = 0;
    let worst = 0;
    for (let i = 0; i < composed.length; i++) {
      const e = Math.abs(composed[i] - reference[i]);
      total += e;
      worst = Math.max(worst, e);
    }
    const mean = total / composed.length;
    assert.ok(mean < 1, `mean absolute error ${mean.toFixed(3)} (worst ${worst})`);
    // And the background alone is far from the source, so the subject layer carries the ball.
    const bgOnly = await sharp(background).raw().toBuffer();
    let bgTotal = 0;
    for (let i = 0; i < bgOnly.length; i++) bgTotal += Math.abs(bgOnly[i] - reference[i]);
    assert.ok(bgTotal / bgOnly.length > 10 * mean + 5, `background alone differs by ${(bgTotal / bgOnly.length).toFixed(2)}`);
  });

  test('an undecodable source fails asynchronously with corrupt_input and no layers', async () => {
    const done = await generate(ts, { prompt: '', type: 'layering', source: { data: 'iVBORw0KGgo=', media_type: 'image/png' } });
    assert.deepEqual([done.state, done.failure_code, done.output], ['failed', 'corrupt_input', []]);
    assert.match(done.failure_reason, /^source: /);
  });

  test('2k layers have a 2048 long side and keep the shape of the source', async () => {
    const small = await sharp(source).resize(160, 120).png().toBuffer();
    const res = await ts.call('POST', '/v1/generations', {
      body: { prompt: 'the ball', type: 'layering', source: { data: small.toString('base64'), media_type: 'image/png' }, layering: { resolution: '2k' } },
    });
    assert.equal(res.status, 201);
    const id = (await res.json()).id;
    const done = await waitForGeneration(ts, id, undefined, 300_000);
    assert.equal(done.state, 'completed', JSON.stringify(done));
    for (const item of done.output) {
      const meta = await sharp(await download(item.url)).metadata();
      assert.deepEqual([meta.width, meta.height], [2048, 1536]);
    }
    assert.deepEqual(done.output[1].layer.bounds, { x: 0, y: 0, width: 2048, height: 1536 });
  });
});
