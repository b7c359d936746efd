#!/usr/bin/env node
import { Command } from 'commander';
import { ConfigError } from '../config.js';
import { serveCommand } from './serve.js';

const program = new Command('atelier').description('Atelier: a Luma Agents API compatible generation server');
serveCommand(program);

program.parseAsync().catch((err: unknown) => {
  process.stderr.write(`atelier: ${err instanceof ConfigError ? err.message : err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(err instanceof ConfigError ? 2 : 1);
});
