import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import sharp from 'sharp';
import type { AspectRatio, GenerationRequest } from '../../src/contract/index.js';
import type { EngineContext, EngineOutput, ImageInput } from '../../src/engines/index.js';
import { chooseAspectRatio, IMAGE_SIZES, previewEngine } from '../../src/engines/preview/index.js';

const ctx: EngineContext = { signal: new AbortController().signal, progress() {} };

const request = (over: Partial<GenerationRequest> = {}): GenerationRequest => ({
  prompt: 'A lighthouse at dusk',
  model: 'uni-1',
  type: 'image',
  aspect_ratio: '1:1',
  style: 'auto',
  output_format: 'png',
  web_search: false,
  user_id: null,
  source: null,
  image_ref: [],
  ...over,
});

async function input(role: ImageInput['role'], bytes: Buffer, index = 0): Promise<ImageInput> {
  const meta = await sharp(bytes).metadata();
  return { role, index, bytes, width: meta.width!, height: meta.height!, format: meta.format as ImageInput['format'] };
}

const solid = (width: number, height: number, colour: { r: number; g: number; b: number }, format: 'png' | 'jpeg' = 'png') =>
  sharp({ create: { width, height, channels: 3, background: colour } }).toFormat(format).toBuffer();

/** A 640×480 photo-like JPEG: a sky gradient, a sun, hills and a tower. */
const scene = () =>
  sharp(
    Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="640" height="480">
<defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#f6c26b"/><stop offset="1" stop-color="#3a6ea5"/></linearGradient></defs>
<rect width="640" height="480" fill="#2a4a7a"/><rect width="640" height="300" fill="url(#sky)"/><circle cx="460" cy="140" r="60" fill="#fff3c4"/>
<polygon points="0,480 0,330 180,250 360,340 520,280 640,330 640,480" fill="#2d3b2a"/><rect x="100" y="200" width="40" height="160" fill="#eeeeee"/></svg>`),
  )
    .jpeg({ quality: 92 })
    .toBuffer();

async function render(req: GenerationRequest, inputs: ImageInput[] = []): Promise<EngineOutput> {
  const result = await previewEngine(req, inputs, ctx);
  assert.ok(result.ok, JSON.stringify(result));
  assert.equal(result.outputs.length, 1);
  return result.outputs[0];
}

const pixels = (bytes: Buffer) => sharp(bytes).raw().toBuffer({ resolveWithObject: true });
const isPng = (bytes: Buffer) => bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
const isJpeg = (bytes: Buffer) => bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;

describe('preview engine: sizes and formats', () => {
  test('every aspect ratio renders at its exact size', async () => {
    for (const [ratio, [width, height]] of Object.entries(IMAGE_SIZES)) {
      const out = await render(request({ aspect_ratio: ratio as AspectRatio }));
      const meta = await sharp(out.bytes).metadata();
      assert.deepEqual([meta.width, meta.height], [width, height], ratio);
    }
  });

  test('png and jpeg are what they say, by magic bytes and by decoding', async () => {
    const png = await render(request({ output_format: 'png' }));
    assert.ok(isPng(png.bytes));
    assert.deepEqual([png.mediaType, png.extension, (await sharp(png.bytes).metadata()).format], ['image/png', 'png', 'png']);
    const jpeg = await render(request({ output_format: 'jpeg' }));
    assert.ok(isJpeg(jpeg.bytes));
    assert.deepEqual([jpeg.mediaType, jpeg.extension, (await sharp(jpeg.bytes).metadata()).format], ['image/jpeg', 'jpg', 'jpeg']);
    assert.equal(jpeg.type, 'image');
  });

  test('output_format null gives a PNG', async () => {
    const out = await render(request({ output_format: null }));
    assert.ok(isPng(out.bytes));
    assert.equal(out.mediaType, 'image/png');
  });

  test('aspect_ratio null: manga → 2:3, a ref → the nearest ratio, otherwise 16:9', async () => {
    const wide = await input('image_ref', await solid(300, 100, { r: 20, g: 120, b: 60 }));
    const tallish = await input('image_ref', await solid(100, 200, { r: 20, g: 120, b: 60 }));
    assert.equal(chooseAspectRatio(null, 'manga', [wide]), '2:3');
    assert.equal(chooseAspectRatio(null, 'auto', [wide]), '3:1');
    assert.equal(chooseAspectRatio(null, 'auto', [tallish]), '1:2');
    assert.equal(chooseAspectRatio(null, 'auto', []), '16:9');
    assert.equal(chooseAspectRatio('1:2', 'auto', [wide]), '1:2');

    const size = async (req: GenerationRequest, inputs: ImageInput[] = []) => {
      const meta = await sharp((await render(req, inputs)).bytes).metadata();
      return [meta.width, meta.height];
    };
    assert.deepEqual(await size(request({ aspect_ratio: null })), [2784, 1504]);
    assert.deepEqual(await size(request({ aspect_ratio: null, style: 'manga' }), [wide]), [1696, 2464]);
    assert.deepEqual(await size(request({ aspect_ratio: null }), [wide]), [3360, 1248]);
  });
});

describe('preview engine: determinism', () => {
  test('the same request and inputs give byte-identical output', async () => {
    const ref = await input('image_ref', await scene());
    const req = request({ prompt: 'A red kite over the dunes', aspect_ratio: '3:2' });
    const [a, b] = await Promise.all([render(req, [ref]), render(req, [ref])]);
    assert.ok(a.bytes.equals(b.bytes));
    const edit = request({ type: 'image_edit', aspect_ratio: null, output_format: 'jpeg', prompt: 'dusk' });
    const source = await input('source', await scene());
    assert.ok((await render(edit, [source])).bytes.equals((await render(edit, [source])).bytes));
  });

  test('a different prompt or different ref bytes give different output', async () => {
    const base = await render(request({ prompt: 'A red kite over the dunes' }));
    assert.ok(!base.bytes.equals((await render(request({ prompt: 'A red kite over the dune' }))).bytes));
    const red = await input('image_ref', await solid(64, 64, { r: 250, g: 10, b: 10 }));
    const blue = await input('image_ref', await solid(64, 64, { r: 10, g: 10, b: 250 }));
    const req = request({ prompt: 'same words' });
    assert.ok(!(await render(req, [red])).bytes.equals((await render(req, [blue])).bytes));
  });
});

describe('preview engine: image_edit', () => {
  test('keeps the source size; the output is the source, visibly changed', async () => {
    const bytes = await scene();
    const out = await render(request({ type: 'image_edit', aspect_ratio: null, output_format: null, prompt: 'make it a winter evening' }), [
      await input('source', bytes),
    ]);
    assert.equal(out.mediaType, 'image/jpeg', 'a JPEG source gives a JPEG when output_format is null');
    const edited = await pixels(out.bytes);
    assert.deepEqual([edited.info.width, edited.info.height], [640, 480]);

    // Compare luminance above the caption band, which covers the bottom fifth.
    const grey = async (b: Buffer) => (await sharp(b).extract({ left: 0, top: 0, width: 640, height: 360 }).greyscale().raw().toBuffer());
    const [before, after] = await Promise.all([grey(bytes), grey(out.bytes)]);
    const colourBefore = await sharp(bytes).raw().toBuffer();
    let diff = 0;
    for (let i = 0; i < 640 * 360 * 3; i++) diff += Math.abs(colourBefore[i] - edited.data[i]);
    const meanDiff = diff / (640 * 360 * 3);
    assert.ok(meanDiff > 12 && meanDiff < 110, `mean absolute difference ${meanDiff.toFixed(1)}`);
    assert.ok(correlation(before, after) > 0.6, `luminance correlation ${correlation(before, after).toFixed(2)}: the structure survives`);
  });

  test('a PNG source gives a PNG, and output_format wins over the source', async () => {
    const png = await input('source', await solid(300, 200, { r: 90, g: 140, b: 200 }));
    const edit = request({ type: 'image_edit', aspect_ratio: null, output_format: null });
    assert.equal((await render(edit, [png])).mediaType, 'image/png');
    const jpeg = await input('source', await scene());
    const out = await render({ ...edit, output_format: 'png' }, [jpeg]);
    assert.ok(isPng(out.bytes));
  });

  test('refs appear as thumbnails on the edit', async () => {
    const source = await input('source', await solid(800, 600, { r: 128, g: 128, b: 128 }, 'png'));
    const green = await input('image_ref', await solid(100, 100, { r: 0, g: 255, b: 0 }));
    const { data } = await pixels((await render(request({ type: 'image_edit', aspect_ratio: null }), [source, green])).bytes);
    let greens = 0;
    for (let i = 0; i < data.length; i += 3) if (data[i] < 30 && data[i + 1] > 225 && data[i + 2] < 30) greens++;
    assert.ok(greens > 500, `found ${greens} pure green pixels`);
  });
});

describe('preview engine: style manga', () => {
  const inkAndPaper = async (bytes: Buffer, near: number) => {
    const { data, info } = await pixels(bytes);
    let grey = 0;
    let extreme = 0;
    for (let i = 0; i < data.length; i += info.channels) {
      const [r, g, b] = info.channels >= 3 ? [data[i], data[i + 1], data[i + 2]] : [data[i], data[i], data[i]];
      if (r === g && g === b) grey++;
      if (r <= near || r >= 255 - near) extreme++;
    }
    const count = data.length / info.channels;
    return { grey: grey / count, extreme: extreme / count, mean: (await sharp(bytes).greyscale().stats()).channels[0].mean };
  };

  test('an image is greyscale and pure black and white screentone', async () => {
    const out = await render(request({ style: 'manga', aspect_ratio: '2:3', prompt: 'A samurai cat on a rooftop in the rain' }));
    const { grey, extreme, mean } = await inkAndPaper(out.bytes, 0);
    assert.equal(grey, 1);
    assert.ok(extreme > 0.99, `${(extreme * 100).toFixed(1)}% pure black or white`);
    assert.ok(mean > 40 && mean < 215, 'both ink and paper are present');
  });

  test('an edit is greyscale and essentially black and white, even as a JPEG', async () => {
    const out = await render(request({ type: 'image_edit', style: 'manga', aspect_ratio: null, output_format: null }), [await input('source', await scene())]);
    assert.equal(out.mediaType, 'image/jpeg');
    const { grey, extreme } = await inkAndPaper(out.bytes, 64);
    assert.ok(grey > 0.99, 'R = G = B');
    assert.ok(extreme > 0.85, `${(extreme * 100).toFixed(1)}% near black or white`);
  });
});

describe('preview engine: palette, progress, cancellation and failure', () => {
  test("a ref's real colour joins the palette", async () => {
    const red = await input('image_ref', await solid(200, 100, { r: 255, g: 0, b: 0 }));
    const { data } = await pixels((await render(request({ prompt: 'anything' }), [red])).bytes);
    let reds = 0;
    for (let i = 0; i < data.length; i += 3) if (data[i] > 230 && data[i + 1] < 30 && data[i + 2] < 30) reds++;
    assert.ok(reds > 1000, `found ${reds} pure red pixels`);
  });

  test('a long prompt still renders', async () => {
    const out = await render(request({ prompt: 'a very long prompt about many things '.repeat(130), aspect_ratio: '1:3' }));
    assert.ok(isPng(out.bytes));
  });

  test('reports progress, ending at 1', async () => {
    const seen: number[] = [];
    const result = await previewEngine(request(), [], { signal: new AbortController().signal, progress: (f) => seen.push(f) });
    assert.ok(result.ok);
    assert.ok(seen.length >= 2);
    assert.deepEqual([...seen].sort((a, b) => a - b), seen, 'progress only goes up');
    assert.equal(seen.at(-1), 1);
  });

  test('an aborted render returns generation_failed, cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await previewEngine(request(), [], { signal: controller.signal, progress() {} });
    assert.deepEqual(result, { ok: false, failureCode: 'generation_failed', failureReason: 'Generation was cancelled' });

    const midway = new AbortController();
    const late = await previewEngine(request(), [], { signal: midway.signal, progress: (f) => f >= 0.1 && midway.abort() });
    assert.deepEqual(late, { ok: false, failureCode: 'generation_failed', failureReason: 'Generation was cancelled' });
  });

  test('undecodable input bytes give generation_failed, not a throw', async () => {
    const broken: ImageInput = { role: 'image_ref', index: 0, bytes: Buffer.from('not an image'), width: 10, height: 10, format: 'png' };
    const result = await previewEngine(request(), [broken], ctx);
    assert.equal(result.ok, false);
    assert.equal(result.ok ? null : result.failureCode, 'generation_failed');
  });
});

function correlation(a: Buffer, b: Buffer): number {
  const n = a.length;
  let sa = 0, sb = 0;
  for (let i = 0; i < n; i++) (sa += a[i]), (sb += b[i]);
  const ma = sa / n, mb = sb / n;
  let cov = 0, va = 0, vb = 0;
  for (let i = 0; i < n; i++) {
    cov += (a[i] - ma) * (b[i] - mb);
    va += (a[i] - ma) ** 2;
    vb += (b[i] - mb) ** 2;
  }
  return cov / Math.sqrt(va * vb);
}
