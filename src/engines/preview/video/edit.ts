import fs from 'node:fs/promises';
import path from 'node:path';
import { EDIT_STRENGTHS, VIDEO_FPS, videoSize, type EditStrength, type GenerationRequest } from '../../../contract/index.js';
import { encodeImage, rgbFrame } from '../../../media/image.js';
import type { EngineContext, ImageInput, VideoInput } from '../../engine.js';
import { renderCard } from '../card.js';
import { outputArgs, SDR_TO_PQ_FILTER, YUV_TO_RGB } from './encode.js';
import type { Look } from './look.js';
import { stageSafeArea, stageSize } from './motion.js';
import type { RenderedClip } from './text-to-video.js';

/** What the edit did, written into the MP4's metadata. */
export interface EditRecord {
  auto_controls: boolean;
  strength: EditStrength;
  controls: unknown;
  /** How much of the prompt card is mixed over the source, 0..1. */
  mix: number;
  hue_shift: number;
}

/** The automatic schedule sits in the middle of the range. */
const AUTO_STRENGTH: EditStrength = 'flex_2';

export function editRecord(request: GenerationRequest): EditRecord {
  const edit = request.video!.edit!;
  const strength = edit.strength ?? AUTO_STRENGTH;
  const step = EDIT_STRENGTHS.indexOf(strength);
  const augmentation = edit.controls?.normals?.enabled === false ? 0 : (edit.controls?.normals?.augmentation ?? 0);
  return {
    auto_controls: edit.auto_controls,
    strength,
    controls: edit.controls,
    mix: Math.round((0.1 + 0.1 * step) * 100) / 100,
    hue_shift: Math.round(8 * (step + 1) * (1 + augmentation)),
  };
}

/** A guide image pinned to an output frame. */
interface Guide {
  frame: number;
  from: string;
  file: string;
}

/** start_frame (frame 0) and the edit keyframes (source frame index → output frame at 24 fps), as PNGs at the output size. */
async function writeGuides(request: GenerationRequest, source: VideoInput, images: ImageInput[], size: { width: number; height: number; frames: number }, workDir: string): Promise<Guide[]> {
  const v = request.video!;
  const pinned: Array<{ image: ImageInput; frame: number; from: string }> = [];
  const start = images.find((i) => i.role === 'start_frame');
  if (start) pinned.push({ image: start, frame: 0, from: 'video.start_frame' });
  for (const keyframe of images.filter((i) => i.role === 'edit_keyframe')) {
    const frame = Math.min(size.frames - 1, Math.round((v.edit!.keyframe_indexes[keyframe.index] * VIDEO_FPS) / (source.fps || VIDEO_FPS)));
    pinned.push({ image: keyframe, frame, from: `video.edit.keyframes[${keyframe.index}]` });
  }
  return Promise.all(
    pinned.map(async ({ image, frame, from }, n) => {
      const file = path.join(workDir, `guide-${n}.png`);
      const rgb = await rgbFrame(image.bytes, size.width, size.height);
      await fs.writeFile(file, await encodeImage({ data: rgb, width: size.width, height: size.height, channels: 3 }, 'png'));
      return { frame, from, file };
    }),
  );
}

/**
 * video_edit: the source at its own aspect and length (24 fps), graded and mixed with the
 * moving prompt card; the mix grows from adhere_1 to reimagine_3. Guide images
 * (start_frame, edit keyframes) show at their frames.
 */
export async function renderEdit(request: GenerationRequest, source: VideoInput, images: ImageInput[], look: Look, ctx: EngineContext): Promise<RenderedClip> {
  const v = request.video!;
  const { width, height } = videoSize(v.resolution, { w: source.width, h: source.height });
  const frames = Math.max(1, Math.round(source.seconds * VIDEO_FPS));
  const record = editRecord(request);
  const blur = v.edit?.controls?.depth?.enabled === false ? 0 : Math.round((v.edit?.controls?.depth?.blur ?? 0) * 6);

  const stage = stageSize(width, height);
  const card = await renderCard(
    request,
    { width: stage.width, height: stage.height, ratio: `${width}:${height}`, output: { width, height }, safe: stageSafeArea(width, height) },
    look,
    [],
  );
  const cardFile = path.join(ctx.workDir!, 'card.png');
  await fs.writeFile(cardFile, await encodeImage(card, 'png'));
  const guides = await writeGuides(request, source, images, { width, height, frames }, ctx.workDir!);

  const ease = `(1-cos(PI*n/${Math.max(1, frames - 1)}))/2`;
  const last = `g${guides.length}`;
  const toOutput = v.hdr ? SDR_TO_PQ_FILTER : 'null';
  // Stills are decoded once: `loop` repeats the card in memory; a guide is one frame that overlay holds after it ends.
  const graph = [
    `[0:v]fps=${VIDEO_FPS},scale=${width}:${height},setsar=1${blur ? `,boxblur=${blur}:1` : ''},hue=h=${record.hue_shift}:s=${1 + record.mix / 2},format=yuv420p[src]`,
    `[1:v]loop=loop=${frames}:size=1:start=0,setpts=N/${VIDEO_FPS}/TB,crop=${width}:${height}:x='${2 * stage.dx}*${ease}':y='${2 * stage.dy}*${ease}',scale=out_color_matrix=bt709,format=yuv420p[card]`,
    // blend's `normal` keeps `opacity` of the first input (the source).
    `[src][card]blend=all_mode=normal:all_opacity=${Math.round((1 - record.mix) * 100) / 100}:shortest=1[g0]`,
    ...guides.map((g, n) => `[${n + 2}:v]scale=${width}:${height}:out_color_matrix=bt709,format=yuv420p[i${n}];[g${n}][i${n}]overlay=enable='eq(n\\,${g.frame})'[g${n + 1}]`),
    // One pass: HDR goes to PQ here; the EXR still (HDR only) is the first frame before that.
    v.exr_export ? `[${last}]split[main][still];[main]${toOutput}[out];[still]${YUV_TO_RGB}[first]` : `[${last}]${toOutput}[out]`,
  ].join(';');
  const comment = JSON.stringify({ atelier: { type: 'video_edit', ...record, guides: guides.map(({ frame, from }) => ({ frame, from })) } });

  const file = path.join(ctx.workDir!, 'edit.mp4');
  const still = await ctx.video!.encode(
    [
      '-xerror', '-i', source.file, '-i', cardFile, ...guides.flatMap((g) => ['-i', g.file]),
      '-filter_complex', graph, '-map', '[out]',
      ...outputArgs({ width, height, frames, hdr: v.hdr, comment, file }, null),
      ...(v.exr_export ? ['-map', '[first]', '-frames:v', '1', '-f', 'rawvideo', '-'] : []),
    ],
    { signal: ctx.signal, captureStdout: v.exr_export },
  );
  return { file, width, height, frames, firstFrame: v.exr_export ? still : undefined };
}
