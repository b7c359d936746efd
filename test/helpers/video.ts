import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { VideoToolkit, type VideoProbe } from '../../src/media/video/index.js';
import { tempDir } from './temp-dir.js';

/** ffmpeg as the server finds it (no FFMPEG_PATH, the test env's PATH, then the npm binary). */
export const toolkit = new VideoToolkit({ ffmpegPath: '', ffprobePath: '', envPath: process.env.PATH ?? '', concurrency: 2, timeoutMs: 60_000 });

function scratch(bytes: Buffer, name = 'clip.mp4'): { file: string; done(): void } {
  const dir = tempDir();
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return { file, done: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export async function probeVideo(bytes: Buffer): Promise<VideoProbe> {
  const s = scratch(bytes);
  try {
    return await toolkit.probe(s.file);
  } finally {
    s.done();
  }
}

/** Frame `index` decoded to packed RGB (BT.709, as the outputs are tagged). */
export async function frameRgb(bytes: Buffer, index: number): Promise<{ data: Buffer; width: number; height: number }> {
  const s = scratch(bytes);
  try {
    const png = await toolkit.grabFrame(s.file, index);
    const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height };
  } finally {
    s.done();
  }
}

/** Mean absolute difference per channel, 0..255. */
export function meanDiff(a: Buffer, b: Buffer): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

/** An image as packed RGB at width×height, cropped to fill (as the engine places anchors). */
export async function imageRgb(bytes: Buffer, width: number, height: number): Promise<Buffer> {
  return sharp(bytes).removeAlpha().resize(width, height, { fit: 'cover' }).raw().toBuffer();
}

/** A short H.264 test clip made with ffmpeg's testsrc. */
export async function testClip(width: number, height: number, seconds: number, fps = 24): Promise<Buffer> {
  const dir = tempDir();
  const file = path.join(dir, 'src.mp4');
  try {
    await toolkit.encode(['-f', 'lavfi', '-i', `testsrc=size=${width}x${height}:rate=${fps}:duration=${seconds}`, '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-y', file]);
    return fs.readFileSync(file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
