import { monotonicMs } from '../clock.js';
import { Option, type Command } from 'commander';
import type { Generation, GenerationListOptions } from '../client/index.js';
import { GENERATION_TYPES, MODELS, STATES } from '../contract/schemas.js';
import { api, client, print, run, type ApiOptions } from './generate-commands.js';
import { describeState, progressLine } from './progress.js';
import { UsageError } from './usage-error.js';

interface ListFlags extends ApiOptions {
  state?: Generation['state'];
  type?: Generation['type'];
  model?: Generation['model'];
  userId?: string;
  after?: string;
  before?: string;
  limit: string;
  all?: boolean;
}

const row = (g: Generation) => `${g.id}  ${g.created_at}  ${g.type.padEnd(13)} ${g.model.padEnd(9)} ${g.state}${g.failure_code ? ` (${g.failure_code})` : ''}`;

/** `atelier generations list|cancel` and `atelier watch`: the extensions from the command line. */
export function generationCommands(program: Command): void {
  const generations = program.command('generations').description('List and cancel generations (Atelier extensions)');

  api(generations.command('list'))
    .description('List your generations, newest first')
    .addOption(new Option('--state <state>').choices(STATES))
    .addOption(new Option('--type <type>').choices(GENERATION_TYPES))
    .addOption(new Option('--model <model>').choices(MODELS))
    .option('--user-id <id>', 'only this end user')
    .option('--after <iso>', 'created at or after this instant')
    .option('--before <iso>', 'created before this instant')
    .option('--limit <n>', 'how many (1-100 per page)', '25')
    .option('--all', 'every page, not just the first')
    .action(
      run(async (flags: ListFlags) => {
        const limit = Number(flags.limit);
        if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new UsageError(`--limit must be an integer from 1 to 100, got '${flags.limit}'`);
        const query: GenerationListOptions = { state: flags.state, type: flags.type, model: flags.model, user_id: flags.userId, created_after: flags.after, created_before: flags.before, limit };
        const sdk = client(flags);
        const found: Generation[] = [];
        if (flags.all) for await (const g of sdk.generations.listAll(query)) found.push(g);
        else found.push(...(await sdk.generations.list(query)).data);
        if (flags.json) return print(found);
        process.stdout.write(found.map((g) => `${row(g)}\n`).join(''));
      }),
    );

  api(generations.command('cancel <id>'))
    .description('Cancel a queued or running generation (it ends failed, refunded)')
    .action(
      run(async (id: string, flags: ApiOptions) => {
        const generation = await client(flags).generations.cancel(id);
        if (flags.json) return print(generation);
        process.stdout.write(`${row(generation)}\n`);
      }),
    );

  api(program.command('watch [id]'))
    .description('Follow one generation live until it ends, or every generation of yours as they change')
    .action(
      run(async (id: string | undefined, flags: ApiOptions) => {
        const sdk = client(flags);
        if (id === undefined) return watchAll(sdk, flags);
        const line = progressLine(process.stderr);
        const started = monotonicMs();
        let last: Generation | undefined;
        try {
          for await (const event of sdk.generations.stream(id)) {
            if (flags.json) print({ type: event.type, id: event.id, generation: event.generation });
            if ('state' in event.generation) last = event.generation as Generation;
            const shown = last ? { ...last, progress: (event.generation as Generation).progress ?? last.progress } : { id, state: 'processing', progress: event.generation.progress };
            if (!flags.json) line.update(describeState(shown), monotonicMs() - started);
          }
        } finally {
          line.done();
        }
        if (!flags.json && last) process.stdout.write(`${row(last)}\n`);
        if (last?.state === 'failed') process.exitCode = 1;
      }),
    );
}

/** Every event of the client, one line each, until interrupted. */
async function watchAll(sdk: ReturnType<typeof client>, flags: ApiOptions): Promise<void> {
  for await (const { type, payload } of sdk.events()) {
    if (flags.json) print({ type, ...payload });
    else if (type === 'generation.progress') process.stdout.write(`${payload.id}  progress ${Math.round(payload.progress.fraction * 100)}% ${payload.progress.stage}\n`);
    else process.stdout.write(`${payload.data.id}  ${type}${payload.data.failure_code ? ` (${payload.data.failure_code})` : ''}\n`);
  }
}
