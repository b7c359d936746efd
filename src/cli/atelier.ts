#!/usr/bin/env node
import '../tick-shape.js';
import { Argument, Command } from 'commander';
import { completionScript, SHELLS, type Shell } from './completion.js';
import { ConfigError } from '../config.js';
import { RoutingError } from '../engines/index.js';
import { StartRefused } from '../roles/role.js';
import { adminCommands } from './admin-commands.js';
import { generateCommands } from './generate-commands.js';
import { generationCommands } from './generation-commands.js';
import { migrateCommand } from './migrate.js';
import { serveCommand } from './serve.js';
import { webhookCommands } from './webhook-commands.js';
import { VERSION } from './version.js';

const program = new Command('atelier').description('Atelier: a Luma Agents API compatible generation server');
// Usage errors exit 2 (help and --version exit 0).
program.version(VERSION, '-v, --version');
program.exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));
serveCommand(program);
generateCommands(program);
generationCommands(program);
adminCommands(program);
webhookCommands(program);
migrateCommand(program);
program
  .command('completion')
  .description('Print a shell completion script: eval "$(atelier completion bash)"')
  .addArgument(new Argument('<shell>').choices(SHELLS))
  .action((shell: Shell) => void process.stdout.write(completionScript(program, shell, 'completion')));

program.parseAsync().catch((err: unknown) => {
  const config = err instanceof ConfigError || err instanceof RoutingError;
  process.stderr.write(`atelier: ${config ? (err as Error).message : err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(config && !(err instanceof StartRefused) ? 2 : 1);
});
