#!/usr/bin/env node
import { Argument, Command, Option } from 'commander';
import { APIError, Atelier, AtelierError, type GenerationCreate } from '../client/index.js';
import { VERSION } from './version.js';
import { completionScript, SHELLS, type Shell } from './completion.js';
import { intArg } from './flag-values.js';
import { CreateBody, createFlags } from './luma-create-body.js';
import { FORMATS, show, type Format } from './output-format.js';
import { UsageError } from './usage-error.js';
import { cliClientError } from './client-errors.js';

const FLAGS = { key: '--auth-token', url: '--base-url' };

/** A drop-in for `luma-agents-cli generations create|get`, talking to Atelier or to Luma. */
interface GlobalOptions {
  authToken?: string;
  baseUrl?: string;
  debug?: boolean;
  format: Format;
  formatError: Format;
  transform?: string;
  transformError?: string;
  rawOutput?: boolean;
}

const program = new Command('luma-agents-cli')
  .description('Luma Agents API command line (Atelier edition)')
  .version(VERSION, '-v, --version')
  .option('--auth-token <key>', 'API key (LUMA_AGENTS_API_KEY)')
  .option('--base-url <url>', 'API base URL (LUMA_BASE_URL)')
  .option('--debug', 'log every HTTP attempt to stderr')
  .addOption(new Option('--format <format>', 'output format').choices(FORMATS).default('auto'))
  .addOption(new Option('--format-error <format>', 'error output format').choices(FORMATS).default('auto'))
  .option('--transform <gjson>', 'GJSON path applied to the response before it is printed')
  .option('--transform-error <gjson>', 'GJSON path applied to an error body before it is printed')
  .option('-r, --raw-output', 'print a string result without JSON quotes (like jq -r)');
program.exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));

function run<A extends unknown[]>(body: (sdk: Atelier, ...args: A) => Promise<unknown>) {
  return async (...args: A) => {
    const options = (args[args.length - 1] as Command).optsWithGlobals() as GlobalOptions;
    try {
      const sdk = new Atelier({
        apiKey: options.authToken,
        baseURL: options.baseUrl,
        log: options.debug ? (line) => process.stderr.write(`${line}\n`) : undefined,
      });
      const result = await body(sdk, ...args);
      if (result !== undefined) await show(result, { format: options.format, transform: options.transform, rawOutput: options.rawOutput }, process.stdout);
    } catch (err) {
      if (err instanceof APIError) {
        await show({ detail: err.detail }, { format: options.formatError, transform: options.transformError }, process.stderr);
        process.exitCode = 1;
      } else if (cliClientError(err, FLAGS)) {
        const { message, exitCode } = cliClientError(err, FLAGS)!;
        process.stderr.write(`error: ${message}\n`);
        process.exitCode = exitCode;
      } else if (err instanceof AtelierError) {
        process.stderr.write(`error: ${err.message}\n`);
        process.exitCode = 1;
      } else {
        throw err;
      }
    }
  };
}

const generations = program.command('generations').description('Create and poll generations');

const create = generations.command('create').description('Submit an image or video generation job');
const body = new CreateBody();
const booleans = createFlags(create, body);
create.action(
  run(async (sdk, options: Record<string, unknown>) => {
    const request = body.build(options, booleans);
    if (typeof request.prompt !== 'string') throw new UsageError("required flag '--prompt' not specified");
    return sdk.generations.create(request as GenerationCreate);
  }),
);

generations
  .command('get [generation-id]')
  .description('Get the status and outputs of a generation')
  .option('--generation-id <uuid>', 'the generation to get')
  .action(
    run(async (sdk, positional: string | undefined, options: { generationId?: string }) => {
      const id = options.generationId ?? positional;
      if (!id) throw new UsageError("required flag '--generation-id' not specified");
      return sdk.generations.get(id);
    }),
  );

const files = program.command('files').description('Upload and manage files referenced by file_id');
files
  .command('create')
  .description('Request a presigned upload (PUT the bytes to upload.url, then files complete)')
  .requiredOption('--mime-type <type>', 'MIME type of the bytes')
  .requiredOption('--size-bytes <n>', 'exact size of the bytes')
  .option('--expires-at <date-time>', 'when the file may be deleted')
  .option('--filename <name>', 'original file name')
  .option('--purpose <purpose>', 'input or reference')
  .option('--user-id <id>', 'your end user')
  .action(
    run(async (sdk, o: { mimeType: string; sizeBytes: string; expiresAt?: string; filename?: string; purpose?: 'input' | 'reference'; userId?: string }) =>
      sdk.files.create({
        mime_type: o.mimeType,
        size_bytes: intArg('--size-bytes', o.sizeBytes),
        expires_at: o.expiresAt,
        filename: o.filename,
        purpose: o.purpose,
        user_id: o.userId,
      }),
    ),
  );
files
  .command('list')
  .option('--cursor <cursor>', 'next_cursor of the previous page')
  .option('--limit <n>', '1 to 100', '25')
  .option('--purpose <purpose>', 'input or reference')
  .option('--state <state>', 'pending, ready, failed or deleted')
  .action(
    run(async (sdk, o: { cursor?: string; limit: string; purpose?: 'input' | 'reference'; state?: 'pending' | 'ready' | 'failed' | 'deleted' }) =>
      sdk.files.list({ cursor: o.cursor, limit: intArg('--limit', o.limit), purpose: o.purpose, state: o.state }),
    ),
  );
for (const name of ['get', 'complete', 'delete'] as const) {
  files
    .command(`${name} [file-id]`)
    .option('--file-id <uuid>', 'the file')
    .action(
      run(async (sdk, positional: string | undefined, o: { fileId?: string }) => {
        const id = o.fileId ?? positional;
        if (!id) throw new UsageError("required flag '--file-id' not specified");
        return sdk.files[name](id);
      }),
    );
}

program
  .command('@completion', { hidden: true })
  .description('Print a shell completion script')
  .addArgument(new Argument('<shell>').choices(SHELLS))
  .action((shell: Shell) => void process.stdout.write(completionScript(program, shell)));

program.parseAsync().catch((err: unknown) => {
  process.stderr.write(`luma-agents-cli: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
