import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { probeImage } from '../../media/image.js';
import { sniffFormat } from '../../media/sniff.js';
import { sniffVideo, VIDEO_MEDIA_TYPES } from '../../media/sniff-video.js';
import type { EngineContext, EngineOutput } from '../engine.js';
import { BackendError } from './backend-error.js';

/** Outputs are checked against generous limits: a backend may render far more than we accept as input. */
const OUTPUT_LIMITS = { maxPixels: 100_000_000, maxSide: 16_384 };

/**
 * Names a file a backend sent by its magic bytes (never by its name or declared type) and
 * checks it decodes whole. A video is probed with ffmpeg where the job has it, so later
 * edits can be checked.
 */
export async function backendOutput(bytes: Buffer, label: string, ctx: Pick<EngineContext, 'video' | 'workDir' | 'signal'>): Promise<EngineOutput> {
  const image = sniffFormat(bytes);
  if (image) {
    const probe = await probeImage(bytes, OUTPUT_LIMITS);
    if (!probe.ok) throw new BackendError('generation_failed', `${label} returned a broken image: ${probe.reason}`, true);
    return { type: 'image', bytes, mediaType: `image/${image}`, extension: image === 'jpeg' ? 'jpg' : image };
  }
  const container = sniffVideo(bytes);
  if (!container) throw new BackendError('generation_failed', `${label} returned a file that is not an image or a video`, true);
  const extension = container === 'mov' ? 'mov' : container;
  const output: EngineOutput = { type: 'video', bytes, mediaType: VIDEO_MEDIA_TYPES[container], extension };
  if (!ctx.video) return output;
  const dir = ctx.workDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'atelier-output-')));
  const file = path.join(dir, `backend-output-${process.hrtime.bigint()}.${extension}`);
  try {
    await fs.writeFile(file, bytes);
    const probe = await ctx.video.probe(file, ctx.signal);
    return { ...output, video: { width: probe.width, height: probe.height, seconds: probe.seconds, frames: probe.frames } };
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    throw new BackendError('generation_failed', `${label} returned a video that could not be read (truncated or damaged)`, true);
  } finally {
    await fs.rm(ctx.workDir ? file : dir, { recursive: true, force: true });
  }
}
