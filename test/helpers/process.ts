import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/atelier.js');

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  /** Every stdout line so far. */
  lines: string[];
  exited: Promise<number | null>;
}

/** `atelier serve` as a real child process on a free port; resolves once it listens. */
export function spawnServer(args: string[], env: NodeJS.ProcessEnv): Promise<ServerProcess> {
  return spawnRole('serve', args, env);
}

/** `atelier serve|api|worker` as a child process on free ports; resolves once it listens (a worker: its metrics port). */
export function spawnRole(role: 'serve' | 'api' | 'worker', args: string[], env: NodeJS.ProcessEnv): Promise<ServerProcess> {
  const child = spawn(process.execPath, [CLI, role, '--port', '0', '--metrics-port', '0', ...args], {
    env: { ...process.env, ATELIER_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${stderr}`)), 60_000);
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      if (!line.includes('"atelier listening"')) return;
      clearTimeout(timer);
      resolve({ child, url: JSON.parse(line).address, lines, exited });
    });
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${stderr}`));
    });
  });
}

/** SIGTERM each process, SIGKILL whichever has not exited after `graceMs`; resolves to their exit codes. */
export async function stopProcesses(processes: ServerProcess[], graceMs = 20_000): Promise<Array<number | null>> {
  for (const p of processes) p.child.kill('SIGTERM');
  const timer = setTimeout(() => processes.forEach((p) => p.child.kill('SIGKILL')), graceMs);
  try {
    return await Promise.all(processes.map((p) => p.exited));
  } finally {
    clearTimeout(timer);
  }
}
