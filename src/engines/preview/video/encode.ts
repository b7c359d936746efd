import { VIDEO_FPS } from '../../../contract/index.js';
import type { VideoToolkit } from '../../../media/video/index.js';
import { toPqBt2020 } from './hdr.js';

export interface EncodeTarget {
  width: number;
  height: number;
  frames: number;
  hdr: boolean;
  /** Written as the MP4's `comment` tag (JSON). */
  comment?: string;
  file: string;
}

/** RGB in → the output's YCbCr: BT.709 for SDR, BT.2020 (of PQ-encoded rgb48le) for HDR. */
export const RGB_TO_SDR = 'scale=out_color_matrix=bt709:out_range=tv,format=yuv420p';
const PQ_RGB_TO_HDR = 'scale=out_color_matrix=bt2020:out_range=tv,format=yuv420p10le';
/** The inverse of RGB_TO_SDR: BT.709 limited-range YCbCr → sRGB rgb24. */
export const YUV_TO_RGB = 'scale=in_color_matrix=bt709:in_range=tv,format=rgb24';

/** BT.709 SDR → BT.2020 PQ in ffmpeg (zimg): SDR white at 203 nits, 10-bit 4:2:0 out. */
export const SDR_TO_PQ_FILTER =
  'zscale=min=709:tin=709:pin=709:rin=limited:t=linear:p=709:m=709:npl=203,format=gbrpf32le,' +
  'zscale=p=2020:t=smpte2084:m=2020_ncl:r=limited:npl=203,format=yuv420p10le';

/** H.264 High, yuv420p, BT.709 tags. */
const SDR = ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-pix_fmt', 'yuv420p', '-color_primaries', 'bt709', '-color_trc', 'bt709', '-colorspace', 'bt709'];

/** HEVC Main 10, yuv420p10le, BT.2020 primaries and PQ transfer. */
const HDR = [
  '-c:v', 'libx265', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p10le',
  '-x265-params', 'colorprim=bt2020:transfer=smpte2084:colormatrix=bt2020nc:range=limited:log-level=error',
  '-color_primaries', 'bt2020', '-color_trc', 'smpte2084', '-colorspace', 'bt2020nc', '-tag:v', 'hvc1',
];

/** Everything after the input: filter (unless a filter graph is mapped), codec, exact frame count, 24 fps, no stray metadata. */
export function outputArgs(target: EncodeTarget, filter: string | null): string[] {
  return [
    ...(filter ? ['-vf', filter] : []),
    '-frames:v', String(target.frames),
    ...(target.hdr ? HDR : SDR),
    '-r', String(VIDEO_FPS),
    '-an',
    '-map_metadata', '-1',
    ...(target.comment ? ['-metadata', `comment=${target.comment}`] : []),
    '-movflags', '+faststart',
    '-fflags', '+bitexact',
    '-flags:v', '+bitexact',
    '-y', target.file,
  ];
}

/**
 * Encodes frames made on demand (sRGB rgb24, `frame(i)`), piped raw into ffmpeg with
 * back-pressure, so only a frame or two is ever in memory.
 */
export async function encodeFrames(
  video: VideoToolkit,
  target: EncodeTarget,
  frame: (index: number) => Buffer,
  signal: AbortSignal,
): Promise<void> {
  const input = ['-f', 'rawvideo', '-pix_fmt', target.hdr ? 'rgb48le' : 'rgb24', '-s', `${target.width}x${target.height}`, '-framerate', String(VIDEO_FPS), '-i', '-'];
  await video.encode([...input, ...outputArgs(target, target.hdr ? PQ_RGB_TO_HDR : RGB_TO_SDR)], {
    signal,
    feed: async (stdin) => {
      const stream = stdin as NodeJS.WritableStream & { destroyed?: boolean };
      for (let i = 0; i < target.frames; i++) {
        if (signal.aborted) throw new Error('cancelled');
        if (stream.destroyed) return;
        const rgb = frame(i);
        const data = target.hdr ? toPqBt2020(rgb) : rgb;
        if (!stream.write(data)) await drained(stream);
      }
    },
  });
}

/** Resolves when the pipe takes more or is gone; both listeners are removed either way. */
function drained(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}
