import fs from 'node:fs/promises';
import type { FailureCode } from '../../contract/index.js';
import { ProcessError } from './process.js';
import type { VideoProbe, VideoToolkit } from './toolkit.js';

/** Magic bytes of the containers ffmpeg is expected to read; anything else is not a video at all. */
function looksLikeVideo(bytes: Buffer): boolean {
  const ascii = (a: number, b: number) => bytes.subarray(a, b).toString('latin1');
  return (
    ascii(4, 8) === 'ftyp' ||
    bytes.subarray(0, 4).equals(Buffer.from([0x1a, 0x45, 0xdf, 0xa3])) || // Matroska / WebM
    (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'AVI ') ||
    bytes[0] === 0x47 // MPEG-TS sync byte
  );
}

async function readHead(file: string): Promise<Buffer> {
  const handle = await fs.open(file, 'r');
  try {
    const head = Buffer.alloc(12);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * Probes a video file; when ffprobe can't read it, the failure code says what is wrong.
 * A failure of ffprobe itself (timeout, abort, no start) is thrown.
 */
export async function probeVideoFile(video: VideoToolkit, file: string, signal?: AbortSignal): Promise<{ ok: true; probe: VideoProbe } | { ok: false; code: FailureCode; reason: string }> {
  try {
    return { ok: true, probe: await video.probe(file, signal) };
  } catch (err) {
    if (err instanceof ProcessError && (err.reason === 'timeout' || err.reason === 'aborted' || err.reason === 'spawn')) throw err;
    return looksLikeVideo(await readHead(file))
      ? { ok: false, code: 'corrupt_input', reason: 'the video could not be decoded' }
      : { ok: false, code: 'unsupported_format', reason: 'not a video ffmpeg can read (MP4, MOV, WebM, MKV, AVI, MPEG-TS)' };
  }
}
