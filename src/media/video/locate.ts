import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export interface FfmpegTools {
  ffmpeg: string;
  ffprobe: string;
  /** Where ffmpeg came from: `FFMPEG_PATH`, `PATH` or the npm package. */
  origin: 'config' | 'path' | 'npm';
  encoders: ReadonlySet<string>;
}

const require = createRequire(import.meta.url);

function executable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(name: string, envPath: string): string | null {
  for (const dir of envPath.split(path.delimiter).filter(Boolean)) {
    const file = path.join(dir, name);
    if (executable(file)) return file;
  }
  return null;
}

/** The npm binary; its install script only sets the execute bit, so set it when that script didn't run. */
function fromNpm(pkg: string): string | null {
  try {
    const file = (require(pkg) as { path: string }).path;
    if (!executable(file)) fs.chmodSync(file, 0o755);
    return executable(file) ? file : null;
  } catch {
    return null;
  }
}

/** Names of the encoders `ffmpeg -encoders` lists. */
export function listEncoders(ffmpeg: string): Set<string> {
  const out = spawnSync(ffmpeg, ['-hide_banner', '-encoders'], { encoding: 'utf8', timeout: 10_000 });
  if (out.status !== 0) throw new Error(`${ffmpeg} -encoders failed: ${(out.stderr || out.error?.message || '').slice(0, 200)}`);
  const names = [...out.stdout.matchAll(/^\s*[VAS][.A-Z]{5}\s+(\S+)/gm)].map((m) => m[1]);
  return new Set(names);
}

/**
 * FFMPEG_PATH (and FFPROBE_PATH, else the ffprobe beside it), then `ffmpeg` on PATH,
 * then `@ffmpeg-installer/ffmpeg` + `@ffprobe-installer/ffprobe`, which ship the binaries.
 */
export function locateFfmpeg(options: { ffmpegPath: string; ffprobePath: string; envPath: string }): FfmpegTools {
  let found: Omit<FfmpegTools, 'encoders'> | null = null;
  if (options.ffmpegPath) {
    if (!executable(options.ffmpegPath)) throw new Error(`FFMPEG_PATH ${options.ffmpegPath} is not an executable file`);
    const beside = path.join(path.dirname(options.ffmpegPath), 'ffprobe');
    const ffprobe = options.ffprobePath || (executable(beside) ? beside : onPath('ffprobe', options.envPath) ?? fromNpm('@ffprobe-installer/ffprobe'));
    if (!ffprobe) throw new Error('FFMPEG_PATH is set but no ffprobe was found (set FFPROBE_PATH)');
    found = { ffmpeg: options.ffmpegPath, ffprobe, origin: 'config' };
  } else {
    const ffmpeg = onPath('ffmpeg', options.envPath);
    const ffprobe = options.ffprobePath || onPath('ffprobe', options.envPath);
    if (ffmpeg && ffprobe) found = { ffmpeg, ffprobe, origin: 'path' };
    else {
      const npmFfmpeg = fromNpm('@ffmpeg-installer/ffmpeg');
      const npmFfprobe = options.ffprobePath || fromNpm('@ffprobe-installer/ffprobe');
      if (npmFfmpeg && npmFfprobe) found = { ffmpeg: npmFfmpeg, ffprobe: npmFfprobe, origin: 'npm' };
    }
  }
  if (!found) throw new Error('ffmpeg not found: set FFMPEG_PATH, put ffmpeg on PATH, or install @ffmpeg-installer/ffmpeg');
  return { ...found, encoders: listEncoders(found.ffmpeg) };
}
