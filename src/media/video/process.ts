import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';

export class ProcessError extends Error {
  constructor(
    message: string,
    readonly reason: 'exit' | 'timeout' | 'aborted' | 'spawn',
    readonly stderr = '',
  ) {
    super(message);
    this.name = 'ProcessError';
  }
}

export interface RunOptions {
  signal?: AbortSignal;
  timeoutMs: number;
  /** Writes the child's stdin; the child is killed if it throws. */
  feed?: (stdin: NodeJS.WritableStream) => Promise<void>;
  /** Keep stdout in memory (probes, frame grabs); encodes write to a file instead. */
  captureStdout?: boolean;
}

const STDERR_KEEP = 4000;

/**
 * Every child this process started and has not yet reaped; `killAll` ends them on shutdown.
 * A child is killed on its timeout or its signal's abort, so none outlives its job.
 */
export class ChildRegistry {
  private readonly live = new Set<ChildProcess>();

  run(file: string, args: string[], options: RunOptions): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      if (options.signal?.aborted) return reject(new ProcessError('aborted before start', 'aborted'));
      const child = spawn(file, args, { stdio: [options.feed ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
      this.live.add(child);
      const out: Buffer[] = [];
      let stderr = '';
      let ended: ProcessError | null = null;
      const kill = (error: ProcessError) => {
        ended ??= error;
        child.kill('SIGKILL');
      };
      const timer = setTimeout(() => kill(new ProcessError(`${label(file)} timed out after ${options.timeoutMs} ms`, 'timeout')), options.timeoutMs);
      const onAbort = () => kill(new ProcessError(`${label(file)} was cancelled`, 'aborted'));
      options.signal?.addEventListener('abort', onAbort, { once: true });

      (child.stdout as Readable).on('data', (chunk: Buffer) => options.captureStdout && out.push(chunk));
      (child.stderr as Readable).on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_KEEP);
      });
      if (options.feed && child.stdin) {
        child.stdin.on('error', () => undefined); // EPIPE when the child dies early; the exit code tells why
        options.feed(child.stdin).then(
          () => child.stdin?.end(),
          (err: unknown) => kill(new ProcessError(`feeding ${label(file)} failed: ${err instanceof Error ? err.message : String(err)}`, 'aborted')),
        );
      }
      child.on('error', (err) => (ended ??= new ProcessError(`${label(file)} could not start: ${err.message}`, 'spawn')));
      child.on('close', (code) => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        this.live.delete(child);
        if (ended) return reject(Object.assign(ended, { stderr }));
        if (code !== 0) return reject(new ProcessError(`${label(file)} exited with ${code}: ${lastLine(stderr)}`, 'exit', stderr));
        resolve(Buffer.concat(out));
      });
    });
  }

  get size(): number {
    return this.live.size;
  }

  killAll(): void {
    for (const child of this.live) child.kill('SIGKILL');
  }
}

const label = (file: string) => file.split('/').pop() ?? file;
const lastLine = (text: string) => text.trim().split('\n').pop()?.slice(0, 300) ?? '';
