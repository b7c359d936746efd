// Cost of moderation: a prompt check and an image classification, against a preview
// render of the same 1:1 image measured in the same run (the work a check guards).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { normalizeGeneration } from '../src/contract/index.js';
import { LOCAL_ENGINES } from '../src/engines/index.js';
import { createPromptFilter, ImageClassifier } from '../src/moderation/index.js';
import { medianMs, percentile, report, timings } from './measure.js';

const PROMPTS = [
  'A glass of iced coffee on a marble countertop, morning light, shallow depth of field',
  'A neon-lit Tokyo alley in the rain, reflections on wet asphalt, cinematic',
  'a shiitake mushroom risotto in a white bowl', // the dataset matches inside "shiitake"
  'Portrait of an old fisherman, weathered face, knitted hat, 85mm, soft window light',
];

export async function moderationScenario(runs = Number(process.env.BENCH_MODERATION_RUNS ?? 10)): Promise<void> {
  const request = normalizeGeneration({ prompt: PROMPTS[0], aspect_ratio: '1:1', output_format: 'png' });
  const engine = LOCAL_ENGINES.preview;
  let image: Buffer | null = null;
  const render = async () => {
    const result = await engine(request, [], { signal: new AbortController().signal, progress: () => undefined });
    if (!result.ok) throw new Error(result.failureReason);
    image = result.outputs[0].bytes;
  };
  await render(); // warm-up
  const renderMs = await medianMs(runs, render);
  report('baseline: preview render 1:1 PNG p50', `${renderMs.toFixed(0)} ms`, '1.00×', 'baseline');

  const filter = createPromptFilter({ blockTerms: ['pineapple'], allowTerms: [] });
  const built = performance.now();
  createPromptFilter({ blockTerms: [], allowTerms: [] });
  report('prompt filter: build (once per server)', `${(performance.now() - built).toFixed(1)} ms`, '', '—');
  for (let i = 0; i < 1000; i++) filter.match(PROMPTS[i % PROMPTS.length]); // warm-up
  const checks = 20_000;
  const started = performance.now();
  for (let i = 0; i < checks; i++) filter.match(PROMPTS[i % PROMPTS.length]);
  const checkMs = (performance.now() - started) / checks;
  report('prompt check (obscenity)', `${(checkMs * 1000).toFixed(1)} µs`, `${(checkMs / renderMs).toFixed(5)}×`, '≪ render');

  const classifier = new ImageClassifier(pino({ level: 'silent' }));
  try {
    const cold = performance.now();
    await classifier.classify(image!);
    report('image check: first (worker + model load)', `${(performance.now() - cold).toFixed(0)} ms`, '', 'once per server');
    const warm = await timings(runs, () => classifier.classify(image!));
    const warmMs = percentile(warm, 50);
    report('image check (nsfwjs MobileNetV2, CPU) p50', `${warmMs.toFixed(0)} ms`, `${(warmMs / renderMs).toFixed(2)}×`, '—');
    report('image check p99', `${percentile(warm, 99).toFixed(0)} ms`, '', '—');
  } finally {
    await classifier.close();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await moderationScenario();
