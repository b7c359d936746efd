import path from 'node:path';
import { Option, type Command } from 'commander';
import { APIError, AtelierError, Atelier, download, type Generation } from '../client/index.js';
import { ASPECT_RATIOS, GENERATION_TYPES, LAYERING_RESOLUTIONS, MODELS, OUTPUT_FORMATS, STYLES, VIDEO_DURATIONS, VIDEO_RESOLUTIONS, type ImageRef } from '../contract/schemas.js';
import { VIDEO_TYPES } from '../contract/rules.js';
import { generateBody, type GenerateFlags } from './generate-body.js';
import { mediaRef } from './media-ref.js';
import { describeState, progressLine } from './progress.js';
import { UsageError } from './usage-error.js';
import { cliClientError } from './client-errors.js';

export interface ApiOptions {
  baseUrl?: string;
  apiKey?: string;
  json?: boolean;
}

interface GenerateOptions extends ApiOptions, GenerateFlags {
  ref: string[];
  source?: string;
  out?: string;
  wait: boolean;
  timeout: string;
}

export const print = (value: unknown): void => void process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

export function client(options: ApiOptions): Atelier {
  return new Atelier({ baseURL: options.baseUrl, apiKey: options.apiKey });
}

/** Where each output goes: `--out` itself for one output, numbered beside it for several, or a directory. */
export function outputPaths(generation: Generation, out: string | undefined): string[] {
  const outputs = generation.output;
  const extension = (url: string) => path.extname(new URL(url).pathname);
  const isDir = out !== undefined && (out.endsWith('/') || out.endsWith(path.sep));
  return outputs.map((output, i) => {
    const suffix = outputs.length > 1 ? `-${i}` : '';
    if (out === undefined || isDir) return path.join(out ?? '.', `${generation.id}${suffix}${extension(output.url)}`);
    if (outputs.length === 1) return out;
    const parsed = path.parse(out);
    return path.join(parsed.dir, `${parsed.name}${suffix}${parsed.ext || extension(output.url)}`);
  });
}

/** Whether a source is a video: by its media type, or by asking the server about a generation or file it names. */
async function isVideoSource(sdk: Atelier, source: ImageRef | undefined): Promise<boolean> {
  if (!source) return false;
  if (source.media_type) return source.media_type.startsWith('video/');
  if (source.generation_id) return VIDEO_TYPES.includes((await sdk.generations.get(source.generation_id)).type);
  if (source.file_id) return (await sdk.files.get(source.file_id)).mime_type.startsWith('video/');
  return false;
}

/** Runs a command body with the exit codes of the CLI: 1 for API errors and failed generations, 2 for usage. */
export function run<A extends unknown[]>(body: (...args: A) => Promise<void>) {
  return async (...args: A) => {
    const options = (args[args.length - 1] as Command).optsWithGlobals() as ApiOptions;
    try {
      await body(...args);
    } catch (err) {
      const known = cliClientError(err, { key: '--api-key', url: '--base-url' });
      if (known) {
        process.stderr.write(`error: ${known.message}\n`);
        process.exitCode = known.exitCode;
        return;
      }
      if (!(err instanceof AtelierError)) throw err;
      if (options.json && err instanceof APIError) {
        process.stderr.write(`${JSON.stringify({ status: err.status, detail: err.detail, request_id: err.requestId })}\n`);
      } else {
        process.stderr.write(`error: ${err instanceof APIError ? `${err.detail} (HTTP ${err.status})` : err.message}\n`);
      }
      process.exitCode = 1;
    }
  };
}

function positiveMs(value: string): number {
  const seconds = Number(value);
  if (!(seconds > 0)) throw new UsageError(`--timeout must be a number of seconds > 0, got '${value}'`);
  return seconds * 1000;
}

/** The options of every command that calls the API. */
export const api = (command: Command) =>
  command
    .option('--base-url <url>', 'API base URL (LUMA_BASE_URL; default http://127.0.0.1:8080/v1)')
    .option('--api-key <key>', 'API key (LUMA_AGENTS_API_KEY)')
    .option('--json', 'print JSON for scripts');

/** `atelier generate` and `atelier get`: the SDK from the command line. */
export function generateCommands(program: Command): void {

  api(program.command('generate <prompt>'))
    .description('Submit a generation, wait for it and download its outputs')
    .addOption(new Option('--type <type>', 'kind of generation; default: from --model, --source and the video or layering flags').choices(GENERATION_TYPES))
    .addOption(new Option('--model <model>', 'default uni-1, or ray-3.2 for video').choices(MODELS))
    .addOption(new Option('--aspect-ratio <ratio>', 'images: 3:1 … 1:3; video: 21:9, 16:9, 4:3, 1:1, 3:4, 9:16').choices(ASPECT_RATIOS))
    .addOption(new Option('--style <style>').choices(STYLES))
    .addOption(new Option('--format <format>', 'output image format').choices(OUTPUT_FORMATS))
    .addOption(new Option('--duration <duration>', 'video length').choices(VIDEO_DURATIONS))
    .addOption(new Option('--resolution <resolution>', 'video resolution').choices(VIDEO_RESOLUTIONS))
    .option('--loop', 'video: end where it starts')
    .option('--hdr', 'video: 10-bit HDR')
    .option('--exr', 'video: also an OpenEXR still')
    .addOption(new Option('--layering-resolution <resolution>', 'layering: long side of each layer').choices(LAYERING_RESOLUTIONS))
    .option('--ref <file|url|id>', 'reference image (repeatable)', (value: string, all: string[]) => [...all, value], [])
    .option('--source <file|url|id>', 'source to edit: a file, a URL, a generation id or file:<file-id>')
    .option('--user-id <id>', 'your end user, for usage and budgets')
    .option('--web-search', 'let the model search the web')
    .option('--out <path>', 'file (or directory ending in /) to download to; default ./<id>.<ext>')
    .option('--no-wait', 'print the queued generation and exit')
    .option('--timeout <seconds>', 'give up waiting after this long', '600')
    .action(
      run(async (prompt: string, options: GenerateOptions) => {
        const timeout = positiveMs(options.timeout);
        const sdk = client(options);
        const source = options.source === undefined ? undefined : await mediaRef(options.source);
        const imageRef = options.ref.length ? await Promise.all(options.ref.map(mediaRef)) : undefined;
        const body = generateBody(prompt, options, { source, imageRef, sourceIsVideo: await isVideoSource(sdk, source) });
        const created = await sdk.generations.create(body);
        if (!options.wait) return print(created);

        const progress = progressLine(process.stderr);
        const generation = await sdk.generations
          .waitFor(created.id, { timeout, onProgress: (g, elapsed) => progress.update(describeState(g), elapsed) })
          .finally(() => progress.done());
        if (generation.state === 'failed') {
          if (options.json) print({ generation, files: [] });
          else process.stderr.write(`error: generation ${generation.id} failed: ${generation.failure_code}: ${generation.failure_reason}\n`);
          process.exitCode = 1;
          return;
        }
        const targets = outputPaths(generation, options.out);
        const files = await Promise.all(generation.output.map((output, i) => download(output, targets[i]!)));
        if (options.json) print({ generation, files });
        else process.stdout.write(files.map((f) => `${f}\n`).join(''));
      }),
    );

  api(program.command('get <id>'))
    .description('Show a generation')
    .action(
      run(async (id: string, options: ApiOptions) => {
        const generation = await client(options).generations.get(id);
        if (options.json) {
          print(generation);
          if (generation.state === 'failed') process.exitCode = 1;
          return;
        }
        const lines = [`${generation.id}  ${generation.type}  ${generation.model}  ${generation.state}  ${generation.created_at}`];
        if (generation.failure_code) lines.push(`failed: ${generation.failure_code}: ${generation.failure_reason}`);
        for (const output of generation.output) lines.push(`${output.type}  ${output.url}`);
        process.stdout.write(`${lines.join('\n')}\n`);
        if (generation.state === 'failed') process.exitCode = 1;
      }),
    );
}
