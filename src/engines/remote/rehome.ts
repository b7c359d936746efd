import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { StoredRequest } from '../../generations/records.js';
import { checkImageFile, type PixelLimits } from '../../media/image.js';
import { sniffVideo, VIDEO_MEDIA_TYPES } from '../../media/sniff-video.js';
import type { VideoToolkit } from '../../media/video/index.js';
import { isVideoInput, type EngineInput, type OutputFile } from '../engine.js';
import type { EngineFailure, RemoteOutput } from './remote-engine.js';
import type { UpstreamHttp } from './upstream-http.js';

export interface RehomeDeps {
  http: UpstreamHttp;
  limits: PixelLimits;
  maxBytes: number;
  /** ffprobe, for video outputs. */
  video?: VideoToolkit;
  signal: AbortSignal;
  /** The job's work directory (video jobs): a video output is downloaded into it, probed there and stored from there, never held in memory. */
  workDir?: string;
}

type Rehomed = { ok: true; outputs: OutputFile[] } | { ok: false; failure: EngineFailure };

const EXR_MAGIC = Buffer.from([0x76, 0x2f, 0x31, 0x01]);
const IMAGE_TYPES = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp', gif: 'image/gif' } as const;
const EXTENSIONS: Record<string, string> = { png: 'png', jpeg: 'jpg', webp: 'webp', gif: 'gif', mp4: 'mp4', mov: 'mov', webm: 'webm' };

const bad = (failureReason: string, detail: string): { ok: false; failure: EngineFailure } => ({
  ok: false,
  failure: { failureCode: 'generation_failed', failureReason, retryable: false, detail },
});

/** How long a video output should last: the asked duration, or the source's for edits and reframes. */
export function expectedSeconds(request: StoredRequest, inputs: EngineInput[]): number | null {
  if (request.type === 'video') {
    const extend = request.inputs.some((input) => input.kind === 'video');
    return extend ? 5 : request.video?.duration === '10s' ? 10 : 5;
  }
  const source = inputs.find(isVideoInput);
  return source ? source.seconds : null;
}

/**
 * Fetches every output the backend handed back and checks it before the generation may
 * complete: the magic bytes name an image, video or EXR of the kind claimed; an image's header
 * gives dimensions within the pixel limits and its structure runs whole to its end; a video
 * probes with a size and a duration near the expected one.
 * A file that can't be fetched is `output_not_found`; one that is garbage, `generation_failed`.
 */
export async function rehomeOutputs(outputs: RemoteOutput[], request: StoredRequest, inputs: EngineInput[], deps: RehomeDeps): Promise<Rehomed> {
  if (outputs.length === 0) return bad('The generation backend returned no output', 'no outputs');
  const checked: OutputFile[] = [];
  for (const [i, output] of outputs.entries()) {
    let bytes = output.bytes;
    if (!bytes) {
      if (!output.url) return bad('The generation backend returned an empty output', `output[${i}] has neither bytes nor url`);
      if (output.type === 'video' && deps.workDir) {
        const file = await videoOnDisk(output.url, output.headers, i, request, inputs, deps, deps.workDir);
        if (!file.ok) return file;
        checked.push(file.output);
        continue;
      }
      const got = await deps.http.download(output.url, deps.maxBytes, output.headers, deps.signal);
      if (!got.ok) return notFetched(got);
      bytes = got.bytes;
    }
    if (bytes.length > deps.maxBytes) return bad('The generation backend returned an output over the size limit', `output[${i}]: ${bytes.length} bytes`);
    const file = await checkFile(output, bytes, i, request, inputs, deps);
    if (!file.ok) return file;
    checked.push(file.output);
  }
  return { ok: true, outputs: checked };
}

const notFetched = (got: { reason: string; detail: string }): { ok: false; failure: EngineFailure } =>
  got.reason === 'too_large'
    ? bad('The generation backend returned an output over the size limit', got.detail)
    : { ok: false, failure: { failureCode: 'output_not_found', failureReason: 'Output artifacts not found', retryable: false, detail: got.detail } };

/** A video output streamed into the work directory and checked there: it goes to the blob store from that file. */
async function videoOnDisk(
  url: string,
  headers: Record<string, string> | undefined,
  i: number,
  request: StoredRequest,
  inputs: EngineInput[],
  deps: RehomeDeps,
  workDir: string,
): Promise<{ ok: true; output: OutputFile } | Extract<Rehomed, { ok: false }>> {
  const downloaded = path.join(workDir, `output-${i}.download`);
  const got = await deps.http.downloadToFile(url, downloaded, deps.maxBytes, headers, deps.signal);
  if (!got.ok) return notFetched(got);
  const head = Buffer.alloc(16);
  const handle = await fs.open(downloaded, 'r');
  try {
    await handle.read(head, 0, 16, 0);
  } finally {
    await handle.close();
  }
  const container = sniffVideo(head);
  if (!container) return bad('The generation backend returned a damaged video', `output[${i}]: not an MP4, MOV or WebM file`);
  const file = path.join(workDir, `output-${i}.${EXTENSIONS[container]}`);
  await fs.rename(downloaded, file);
  const facts = await probeVideoFile(file, i, request, inputs, deps);
  if (!facts.ok) return facts;
  return { ok: true, output: { type: 'video', file, mediaType: VIDEO_MEDIA_TYPES[container], extension: EXTENSIONS[container], video: facts.video } };
}

/** ffprobe's size and duration of a video output, within the limits and near the expected length. */
async function probeVideoFile(
  file: string,
  i: number,
  request: StoredRequest,
  inputs: EngineInput[],
  deps: RehomeDeps,
): Promise<{ ok: true; video: { width: number; height: number; seconds: number; frames: number } } | Extract<Rehomed, { ok: false }>> {
  if (!deps.video || deps.video.problem) return bad('Video outputs need ffmpeg to be checked', deps.video?.problem ?? 'no video toolkit');
  const probe = await deps.video.probe(file, deps.signal).catch((err: Error) => err);
  if (probe instanceof Error) return bad('The generation backend returned a damaged video', `output[${i}]: ${probe.message}`);
  if (probe.width > deps.limits.maxSide || probe.height > deps.limits.maxSide) {
    return bad('The generation backend returned a video over the size limit', `output[${i}]: ${probe.width}×${probe.height}`);
  }
  const expected = expectedSeconds(request, inputs);
  if (expected !== null && Math.abs(probe.seconds - expected) > Math.max(1, expected * 0.2)) {
    return bad('The generation backend returned a video of the wrong length', `output[${i}]: ${probe.seconds.toFixed(2)} s, expected ${expected} s`);
  }
  return { ok: true, video: { width: probe.width, height: probe.height, seconds: probe.seconds, frames: probe.frames } };
}

async function checkFile(
  output: RemoteOutput,
  bytes: Buffer,
  i: number,
  request: StoredRequest,
  inputs: EngineInput[],
  deps: RehomeDeps,
): Promise<{ ok: true; output: OutputFile } | Extract<Rehomed, { ok: false }>> {
  const layer = output.layer ? { layer: output.layer } : {};
  if (output.type === 'exr') {
    if (!bytes.subarray(0, 4).equals(EXR_MAGIC)) return bad('The generation backend returned a damaged EXR file', `output[${i}]: no OpenEXR magic`);
    return { ok: true, output: { type: 'exr', bytes, mediaType: 'image/x-exr', extension: 'exr' } };
  }
  if (output.type === 'image') {
    const probe = await checkImageFile(bytes, deps.limits);
    if (!probe.ok) return bad('The generation backend returned a damaged image', `output[${i}]: ${probe.reason}`);
    const mediaType = IMAGE_TYPES[probe.format];
    if (output.mediaType && baseType(output.mediaType) !== mediaType && baseType(output.mediaType) !== 'application/octet-stream') {
      return bad('The generation backend returned a damaged image', `output[${i}]: claimed ${output.mediaType}, the bytes are ${mediaType}`);
    }
    return { ok: true, output: { type: 'image', bytes, mediaType, extension: EXTENSIONS[probe.format], ...layer } };
  }
  const container = sniffVideo(bytes.subarray(0, 16));
  if (!container) return bad('The generation backend returned a damaged video', `output[${i}]: not an MP4, MOV or WebM file`);
  if (!deps.video || deps.video.problem) return bad('Video outputs need ffmpeg to be checked', deps.video?.problem ?? 'no video toolkit');
  const dir = await fs.mkdtemp(path.join(deps.workDir ?? os.tmpdir(), 'atelier-rehome-'));
  try {
    const file = path.join(dir, `output.${EXTENSIONS[container]}`);
    await fs.writeFile(file, bytes);
    const facts = await probeVideoFile(file, i, request, inputs, deps);
    if (!facts.ok) return facts;
    return { ok: true, output: { type: 'video', bytes, mediaType: VIDEO_MEDIA_TYPES[container], extension: EXTENSIONS[container], video: facts.video } };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

const baseType = (mediaType: string) => mediaType.split(';')[0].trim().toLowerCase();
