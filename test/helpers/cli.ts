import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs one of the package's bins (`atelier`, `luma-agents-cli`) as a child process; never rejects. */
export function runCli(bin: 'atelier' | 'luma-agents-cli', args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(CLI_DIR, `${bin}.js`), ...args],
      { env: { ...process.env, LUMA_AGENTS_API_KEY: '', LUMA_BASE_URL: '', LUMA_CUSTOM_HEADERS: '', ...options.env }, cwd: options.cwd },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}
