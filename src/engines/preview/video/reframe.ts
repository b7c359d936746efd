import path from 'node:path';
import { parseRatio, VIDEO_FPS, videoSize, type GenerationRequest } from '../../../contract/index.js';
import type { EngineContext, VideoInput } from '../../engine.js';
import { hex } from '../palette.js';
import { outputArgs } from './encode.js';
import type { Look } from './look.js';
import type { RenderedClip } from './text-to-video.js';

const even = (n: number) => Math.max(2, Math.round(n / 2) * 2);

/** Where the source sits on the canvas: `source_position` (fractions of the canvas) or a centred fit. */
export function placement(request: GenerationRequest, source: { width: number; height: number }, canvas: { width: number; height: number }) {
  const p = request.video!.source_position;
  if (p) {
    return { x: Math.round(p.x_norm * canvas.width), y: Math.round(p.y_norm * canvas.height), w: even(p.w_norm * canvas.width), h: even(p.h_norm * canvas.height) };
  }
  const scale = Math.min(canvas.width / source.width, canvas.height / source.height);
  const w = Math.min(canvas.width, even(source.width * scale));
  const h = Math.min(canvas.height, even(source.height * scale));
  return { x: Math.round((canvas.width - w) / 2), y: Math.round((canvas.height - h) / 2), w, h };
}

/**
 * video_reframe: every source frame at its placement on the new canvas; the exposed area
 * is the source blurred to fill the canvas, tinted with the prompt's key colour.
 */
export async function renderReframe(request: GenerationRequest, source: VideoInput, look: Look, ctx: EngineContext): Promise<RenderedClip> {
  const v = request.video!;
  const { width, height } = videoSize(v.resolution, parseRatio(request.aspect_ratio!));
  const frames = Math.max(1, Math.round(source.seconds * VIDEO_FPS));
  const at = placement(request, source, { width, height });
  // Blurring and tinting a small copy, then enlarging it, is a wide blur at a fraction of the cost.
  const small = { w: even(width / 8), h: even(height / 8) };
  const tint = hex(look.palette.deep).replace('#', '0x');
  const graph = [
    `[0:v]fps=${VIDEO_FPS},split[a][b]`,
    `[a]scale=${small.w}:${small.h}:force_original_aspect_ratio=increase,crop=${small.w}:${small.h},boxblur=4:2,drawbox=x=0:y=0:w=${small.w}:h=${small.h}:color=${tint}@0.35:t=fill,scale=${width}:${height},setsar=1[bg]`,
    `[b]scale=${at.w}:${at.h},setsar=1[fg]`,
    `[bg][fg]overlay=x=${at.x}:y=${at.y}:shortest=1,format=yuv420p[out]`,
  ].join(';');
  const comment = JSON.stringify({ atelier: { type: 'video_reframe', source_position: v.source_position, placement: at } });
  const file = path.join(ctx.workDir!, 'reframe.mp4');
  await ctx.video!.encode(['-xerror', '-i', source.file, '-filter_complex', graph, '-map', '[out]', ...outputArgs({ width, height, frames, hdr: false, comment, file }, null)], {
    signal: ctx.signal,
  });
  return { file, width, height, frames };
}
