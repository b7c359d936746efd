import { ChildRegistry, type RunOptions } from './process.js';
import { locateFfmpeg, type FfmpegTools } from './locate.js';
import { Semaphore } from '../semaphore.js';

export interface VideoToolkitOptions {
  ffmpegPath: string;
  ffprobePath: string;
  envPath: string;
  /** Encodes at once; the rest wait, so video can't starve image jobs of CPU. */
  concurrency: number;
  timeoutMs: number;
}

export interface VideoProbe {
  width: number;
  height: number;
  seconds: number;
  fps: number;
  frames: number;
  codec: string;
  pixFmt: string;
  colorTransfer: string | null;
  colorPrimaries: string | null;
  tags: Record<string, string>;
}

type ProbeJson = {
  streams?: Array<Record<string, unknown>>;
  format?: { duration?: string; tags?: Record<string, string> };
};

/**
 * The media port for video: the only code that runs ffmpeg or ffprobe. It finds the
 * binaries and checks their encoders once, bounds concurrent encodes, and kills every
 * child on timeout, on its job's abort and on shutdown.
 */
export class VideoToolkit {
  private readonly children = new ChildRegistry();
  private readonly encodes: Semaphore;
  private readonly tools: FfmpegTools | null;
  /** Why ffmpeg is unusable, when it is. */
  readonly problem: string | null;

  constructor(private readonly options: VideoToolkitOptions) {
    this.encodes = new Semaphore(Math.max(1, options.concurrency));
    let tools: FfmpegTools | null = null;
    let problem: string | null = null;
    try {
      tools = locateFfmpeg(options);
      const missing = ['libx264'].filter((e) => !tools!.encoders.has(e));
      if (missing.length) problem = `${tools.ffmpeg} lacks the ${missing.join(', ')} encoder`;
    } catch (err) {
      problem = err instanceof Error ? err.message : String(err);
    }
    this.tools = tools;
    this.problem = problem;
  }

  get info(): { ffmpeg: string; ffprobe: string; origin: string } | null {
    return this.tools && { ffmpeg: this.tools.ffmpeg, ffprobe: this.tools.ffprobe, origin: this.tools.origin };
  }

  hasEncoder(name: string): boolean {
    return this.tools?.encoders.has(name) ?? false;
  }

  private ready(): FfmpegTools {
    if (!this.tools || this.problem) throw new Error(this.problem ?? 'ffmpeg is unavailable');
    return this.tools;
  }

  /** Runs ffmpeg under the encode semaphore. */
  async encode(args: string[], options: Omit<RunOptions, 'timeoutMs'> = {}): Promise<Buffer> {
    const { ffmpeg } = this.ready();
    const release = await this.encodes.acquire(options.signal);
    try {
      return await this.children.run(ffmpeg, ['-hide_banner', '-nostdin', '-loglevel', 'error', ...args], { ...options, timeoutMs: this.options.timeoutMs });
    } finally {
      release();
    }
  }

  /** Decoding helpers (frame grabs) are short; they skip the queue so an encode can't block its own inputs. */
  async decode(args: string[], signal?: AbortSignal): Promise<Buffer> {
    const { ffmpeg } = this.ready();
    return this.children.run(ffmpeg, ['-hide_banner', '-nostdin', '-loglevel', 'error', ...args], {
      signal,
      timeoutMs: this.options.timeoutMs,
      captureStdout: true,
    });
  }

  /** Stream and container facts of the first video stream; throws when there is none. */
  async probe(file: string, signal?: AbortSignal): Promise<VideoProbe> {
    const { ffprobe } = this.ready();
    const json = await this.children.run(ffprobe, ['-v', 'error', '-print_format', 'json', '-show_streams', '-show_format', file], {
      signal,
      timeoutMs: Math.min(this.options.timeoutMs, 30_000),
      captureStdout: true,
    });
    const parsed = JSON.parse(json.toString('utf8')) as ProbeJson;
    const stream = parsed.streams?.find((s) => s.codec_type === 'video');
    if (!stream) throw new Error('no video stream');
    const [num, den] = String(stream.avg_frame_rate ?? stream.r_frame_rate ?? '0/1').split('/').map(Number);
    const fps = den ? num / den : 0;
    const seconds = Number(stream.duration ?? parsed.format?.duration ?? 0);
    const frames = Number(stream.nb_frames ?? 0) || Math.round(seconds * fps);
    const width = Number(stream.width ?? 0);
    const height = Number(stream.height ?? 0);
    if (!width || !height || !(seconds > 0)) throw new Error('video stream without size or duration');
    return {
      width,
      height,
      seconds,
      fps,
      frames,
      codec: String(stream.codec_name ?? ''),
      pixFmt: String(stream.pix_fmt ?? ''),
      colorTransfer: (stream.color_transfer as string | undefined) ?? null,
      colorPrimaries: (stream.color_primaries as string | undefined) ?? null,
      tags: parsed.format?.tags ?? {},
    };
  }

  /** One frame as PNG (0-based index into the decoded frames). */
  grabFrame(file: string, index: number, signal?: AbortSignal): Promise<Buffer> {
    return this.decode(['-i', file, '-vf', `select=eq(n\\,${index})`, '-vsync', '0', '-frames:v', '1', '-f', 'image2pipe', '-vcodec', 'png', '-'], signal);
  }

  /** Kills every child still running; called on shutdown. */
  close(): void {
    this.children.killAll();
  }

  get running(): number {
    return this.children.size;
  }
}
