import path from 'node:path';
import { FRAMES, parseRatio, VIDEO_ASPECT_RATIOS, VIDEO_FPS, videoSize, type AspectRatio, type GenerationRequest } from '../../../contract/index.js';
import { rgbFrame } from '../../../media/image.js';
import type { EngineContext, ImageInput } from '../../engine.js';
import { renderCard } from '../card.js';
import { encodeFrames } from './encode.js';
import { composeFrame, type Anchor } from './frames.js';
import type { Look } from './look.js';
import { cameraMotion, stageSafeArea, stageSize } from './motion.js';

export interface RenderedClip {
  file: string;
  width: number;
  height: number;
  frames: number;
  /** The first frame as sRGB rgb24, for the EXR still; only when `exr_export` asks for it. */
  firstFrame?: Buffer;
}

/** `aspect_ratio: null` lets the model choose: the first anchor image's nearest ratio, else 16:9. */
export function chooseVideoRatio(requested: AspectRatio | null, images: ImageInput[]): AspectRatio {
  if (requested) return requested;
  const first = images.find((i) => i.role === 'start_frame') ?? images.find((i) => i.role === 'end_frame') ?? images.find((i) => i.role === 'keyframe');
  if (!first) return '16:9';
  const target = Math.log(first.width / first.height);
  const distance = (r: AspectRatio) => Math.abs(Math.log(parseRatio(r).w / parseRatio(r).h) - target);
  return VIDEO_ASPECT_RATIOS.reduce((best, r) => (distance(r) < distance(best) ? r : best));
}

/** Text-to-video and image-to-video: the prompt card under a moving camera, pinned to the anchor images. */
export async function renderTextToVideo(request: GenerationRequest, images: ImageInput[], look: Look, ctx: EngineContext): Promise<RenderedClip> {
  const v = request.video!;
  const ratio = chooseVideoRatio(request.aspect_ratio, images);
  const { width, height } = videoSize(v.resolution, parseRatio(ratio));
  const count = FRAMES[v.duration];
  const last = count - 1;

  const stage = stageSize(width, height);
  const card = await renderCard(request, { width: stage.width, height: stage.height, ratio, output: { width, height }, safe: stageSafeArea(width, height) }, look, []);
  const stageRgb = await rgbFrame(card, stage.width, stage.height);
  const direction = look.rand() < 0.5 ? 1 : -1;
  const motion = cameraMotion({ rgb: stageRgb, width: stage.width, height: stage.height }, width, height, count, v.loop, direction);
  ctx.progress(0.2);

  const anchors: Anchor[] = [];
  const pin = async (image: ImageInput | undefined, frame: number) => image && anchors.push({ frame, rgb: await rgbFrame(image.bytes, width, height) });
  await pin(images.find((i) => i.role === 'start_frame'), 0);
  await pin(images.find((i) => i.role === 'end_frame'), last);
  for (const keyframe of images.filter((i) => i.role === 'keyframe')) {
    // The grid runs 0..120 (0..240); the last index lands on the last frame.
    await pin(keyframe, Math.min(last, v.keyframe_indexes[keyframe.index]));
  }
  anchors.sort((a, b) => a.frame - b.frame);

  const file = path.join(ctx.workDir!, 'video.mp4');
  const frame = (i: number) => {
    if (i % VIDEO_FPS === 0) ctx.progress(0.2 + (0.75 * i) / count);
    return composeFrame(i, count, anchors, motion, v.loop);
  };
  await encodeFrames(ctx.video!, { width, height, frames: count, hdr: v.hdr, file }, frame, ctx.signal);
  return { file, width, height, frames: count, firstFrame: v.exr_export ? composeFrame(0, count, anchors, motion, v.loop) : undefined };
}
