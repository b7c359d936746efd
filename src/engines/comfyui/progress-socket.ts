import type { ComfySockets, PromptListener, PromptWatch } from './shared-socket.js';

interface ProgressOptions {
  sockets: ComfySockets;
  /** The client id the prompt was queued under: its messages go only to that client's socket. */
  clientId: string;
  promptId: string;
  /** Nodes of the workflow that report steps (samplers): progress is their steps done, over this many. */
  samplers: number;
  onProgress(fraction: number): void;
}

const ENDED = new Set(['execution_success', 'execution_error', 'execution_interrupted']);

/**
 * Follows one prompt on its client's shared `/ws` socket: turns its `progress` messages (a
 * sampler's steps) into a fraction done, and wakes the waiter when the prompt ends. Steps, not
 * nodes: the samplers take nearly all the time, and a socket joined late (a resumed job) still
 * counts right. The socket only speeds things up: the outcome is always read from `/history`.
 */
export class ProgressSocket implements PromptListener {
  private readonly watch: PromptWatch;
  private wakeWaiter: (() => void) | null = null;
  private readonly samplersDone = new Set<string>();
  private sampler: string | null = null;
  private best = 0;
  /** True once the socket reported the prompt's end. */
  ended = false;

  constructor(private readonly options: ProgressOptions) {
    this.watch = options.sockets.watch(options.clientId, options.promptId, this);
  }

  get connected(): boolean {
    return this.watch.connected();
  }

  /** Resolves after `ms`, or sooner when the socket has news. */
  waitForNews(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.wakeWaiter = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      this.wakeWaiter = done;
    });
  }

  close(): void {
    this.watch.close();
    this.wakeWaiter?.();
  }

  dropped(): void {
    this.wakeWaiter?.();
  }

  message(type: string, data: Record<string, unknown>): void {
    if ((type === 'executing' && (data.node === null || data.node === undefined)) || ENDED.has(type)) {
      this.ended = true;
      this.wakeWaiter?.();
      return;
    }
    if (type !== 'progress' || typeof data.value !== 'number' || typeof data.max !== 'number' || data.max <= 0) return;
    const node = String(data.node ?? '');
    if (this.sampler !== null && node !== this.sampler) this.samplersDone.add(this.sampler);
    this.sampler = node;
    const done = this.samplersDone.size + Math.min(1, data.value / data.max);
    const fraction = Math.min(0.95, 0.05 + 0.9 * (done / Math.max(1, this.options.samplers, this.samplersDone.size + 1)));
    if (fraction > this.best) {
      this.best = fraction;
      this.options.onProgress(fraction);
    }
  }
}
