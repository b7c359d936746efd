import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { pino } from 'pino';
import sharp from 'sharp';
import { ImageClassifier } from '../../src/moderation/index.js';
import { solidImage } from '../helpers/images.js';

const classifier = new ImageClassifier(pino({ level: 'silent' }));
after(() => classifier.close());

const CLASSES = ['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy'];

function assertScores(scores: Array<{ className: string; probability: number }>) {
  assert.deepEqual(scores.map((s) => s.className).sort(), CLASSES);
  const total = scores.reduce((sum, s) => sum + s.probability, 0);
  assert.ok(Math.abs(total - 1) < 1e-3, `probabilities sum to ${total}`);
  for (let i = 1; i < scores.length; i++) assert.ok(scores[i - 1].probability >= scores[i].probability, 'highest first');
}

test('the bundled model loads offline and scores all five classes of an image', async () => {
  const scores = await classifier.classify(await solidImage(640, 480, 'jpeg', { r: 30, g: 120, b: 200 }));
  assertScores(scores);
  assert.ok(['Drawing', 'Neutral'].includes(scores[0].className), `a flat colour field is not explicit (got ${scores[0].className})`);
});

test('greyscale, alpha and GIF inputs are scored too; the same bytes score the same', async () => {
  const grey = await sharp({ create: { width: 300, height: 200, channels: 4, background: { r: 90, g: 90, b: 90, alpha: 0.5 } } })
    .greyscale()
    .png()
    .toBuffer();
  const gif = await solidImage(64, 64, 'gif');
  const [a, b, c] = await Promise.all([classifier.classify(grey), classifier.classify(grey), classifier.classify(gif)]);
  assertScores(a);
  assertScores(c);
  assert.deepEqual(a, b);
});
