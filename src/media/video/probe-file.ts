import type { FailureCode } from '../../contract/index.js';
import { readFileHead } from '../file-head.js';
import { looksLikeVideo } from '../sniff-video.js';
import { ProcessError } from './process.js';
import type { VideoProbe, VideoToolkit } from './toolkit.js';

/**
 * Probes a video file; when ffprobe can't read it, the failure code says what is wrong.
 * A failure of ffprobe itself (timeout, abort, no start) is thrown.
 */
export async function probeVideoFile(video: VideoToolkit, file: string, signal?: AbortSignal): Promise<{ ok: true; probe: VideoProbe } | { ok: false; code: FailureCode; reason: string }> {
  try {
    return { ok: true, probe: await video.probe(file, signal) };
  } catch (err) {
    if (err instanceof ProcessError && (err.reason === 'timeout' || err.reason === 'aborted' || err.reason === 'spawn')) throw err;
    return looksLikeVideo(await readFileHead(file, 12))
      ? { ok: false, code: 'corrupt_input', reason: 'the video could not be decoded' }
      : { ok: false, code: 'unsupported_format', reason: 'not a video ffmpeg can read (MP4, MOV, WebM, MKV, AVI, MPEG-TS)' };
  }
}
