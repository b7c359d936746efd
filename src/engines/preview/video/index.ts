import fs from 'node:fs/promises';
import { VIDEO_FPS, type GenerationRequest } from '../../../contract/index.js';
import { encodeExr } from '../../../media/exr.js';
import { ProcessError } from '../../../media/video/index.js';
import { isVideoInput, type EngineContext, type EngineInput, type EngineOutput, type EngineResult, type ImageInput } from '../../engine.js';
import { renderEdit } from './edit.js';
import { toAcesLinear } from './hdr.js';
import { videoLook } from './look.js';
import { renderReframe } from './reframe.js';
import { renderTextToVideo, type RenderedClip } from './text-to-video.js';

const UNDECODABLE = /corrupt input|error while decoding|invalid data|invalid nal|error splitting|decode_slice|missing picture/i;

const failed = (failureReason: string): EngineResult => ({ ok: false, failureCode: 'generation_failed', failureReason });

/** The preview engine's video half: real MP4s through ffmpeg, plus the EXR still when asked. */
export async function renderVideo(request: GenerationRequest, inputs: EngineInput[], ctx: EngineContext): Promise<EngineResult> {
  const v = request.video!;
  const video = ctx.video;
  if (!video || video.problem || !ctx.workDir) return failed(`Video rendering needs ffmpeg: ${video?.problem ?? 'not configured'}`);
  if (v.hdr && !video.hasEncoder('libx265')) return failed('HDR needs ffmpeg with the libx265 encoder');

  const images = inputs.filter((i): i is ImageInput => !isVideoInput(i));
  const source = inputs.find(isVideoInput);
  const look = await videoLook(request, images);
  let clip: RenderedClip;
  if (request.type === 'video') clip = await renderTextToVideo(request, images, look, ctx);
  else if (!source) return { ok: false, failureCode: 'invalid_request', failureReason: `${request.type} needs a video source` };
  else {
    try {
      clip = request.type === 'video_edit' ? await renderEdit(request, source, images, look, ctx) : await renderReframe(request, source, look, ctx);
    } catch (err) {
      // Sources are decoded with -xerror: frames that don't decode stop ffmpeg with the demuxer's or decoder's complaint.
      if (err instanceof ProcessError && err.reason === 'exit' && UNDECODABLE.test(err.stderr)) {
        return { ok: false, failureCode: 'corrupt_input', failureReason: 'source: the video could not be decoded' };
      }
      throw err;
    }
  }
  ctx.progress(0.95);

  const outputs: EngineOutput[] = [
    {
      type: 'video',
      bytes: await fs.readFile(clip.file),
      mediaType: 'video/mp4',
      extension: 'mp4',
      video: { width: clip.width, height: clip.height, seconds: clip.frames / VIDEO_FPS, frames: clip.frames },
    },
  ];
  if (v.exr_export && clip.firstFrame) {
    outputs.push({ type: 'exr', bytes: encodeExr(toAcesLinear(clip.firstFrame, clip.width, clip.height)), mediaType: 'image/x-exr', extension: 'exr' });
  }
  ctx.progress(1);
  return { ok: true, outputs };
}
