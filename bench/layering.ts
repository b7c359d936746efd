// Layering: time per image at 1k and 2k, against the segmentation model's own run in the same process.
// Runs inside `npm run bench` (skip with BENCH_LAYERING=0) or alone: node dist/bench/layering.js
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import type { GenerationRequest, LayeringResolution } from '../src/contract/index.js';
import type { ImageInput } from '../src/engines/index.js';
import { layeringEngine } from '../src/engines/layering/index.js';
import { DEFAULT_LAYERING_MODEL } from '../src/media/segment-model.js';
import { loadSegmenter } from '../src/media/segment.js';
import { medianMs, report } from './measure.js';

/** A 1600×1200 photo-like source: a shaded ball and a box on a wall and a floor. */
const source = () =>
  sharp(
    Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="1600" height="1200">
<defs><radialGradient id="s" cx="0.38" cy="0.35" r="0.7"><stop offset="0" stop-color="#ff9a80"/><stop offset="0.5" stop-color="#d8322a"/><stop offset="1" stop-color="#6e0f0b"/></radialGradient></defs>
<rect width="1600" height="1200" fill="#e8e4dc"/><rect y="850" width="1600" height="350" fill="#cfc8bb"/>
<ellipse cx="820" cy="960" rx="300" ry="50" fill="#a79e90"/><circle cx="800" cy="600" r="325" fill="url(#s)"/></svg>`),
  )
    .jpeg({ quality: 90 })
    .toBuffer();

export async function layeringScenario(runs = Number(process.env.BENCH_LAYERING_RUNS ?? 3)): Promise<void> {
  const bytes = await source();
  const input: ImageInput = { role: 'source', index: 0, bytes, width: 1600, height: 1200, format: 'jpeg' };
  const ctx = { signal: new AbortController().signal, progress() {} };
  const request = (resolution: LayeringResolution) => ({ type: 'layering', model: 'uni-1', prompt: '', layering: { resolution } }) as GenerationRequest;

  const started = performance.now();
  const segmenter = await loadSegmenter(DEFAULT_LAYERING_MODEL);
  report(`layering: load the '${DEFAULT_LAYERING_MODEL}' model (once)`, `${(performance.now() - started).toFixed(0)} ms`, '', '—');
  await segmenter.mask(bytes, 1024, 768); // warm-up
  const model = await medianMs(runs, () => segmenter.mask(bytes, 1024, 768));
  report('layering: segmentation alone p50', `${model.toFixed(0)} ms`, '1.00×', 'baseline');
  for (const [resolution, size] of [['1k', '1024×768'], ['2k', '2048×1536']] as const) {
    const time = await medianMs(runs, async () => {
      const result = await layeringEngine(request(resolution), [input], ctx);
      if (!result.ok) throw new Error(result.failureReason);
    });
    report(`layering ${resolution} (${size}, 2 layers) p50`, `${time.toFixed(0)} ms`, `${(time / model).toFixed(2)}×`, '≤ 1.5× model');
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await layeringScenario();
