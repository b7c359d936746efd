import { WebSocket } from 'undici';

interface SocketOptions {
  baseUrl: string;
  /** The engine's auth headers, for a ComfyUI behind an authenticating proxy. */
  headers: Record<string, string>;
  clientId: string;
  promptId: string;
  /** Nodes of the workflow that report steps (samplers): progress is their steps done, over this many. */
  samplers: number;
  onProgress(fraction: number): void;
}

const ENDED = new Set(['execution_success', 'execution_error', 'execution_interrupted']);

/**
 * Follows one prompt on ComfyUI's `/ws`: turns its `progress` messages (a sampler's steps)
 * into a fraction done, and wakes the waiter when the prompt ends. Steps, not nodes: the
 * samplers take nearly all the time, and a socket opened late (a resumed job) still counts
 * right.
 * The socket only speeds things up: the outcome is always read from `/history`. When the
 * socket drops it reconnects (same client id) with a growing pause.
 */
export class ProgressSocket {
  private socket: WebSocket | null = null;
  private closed = false;
  private reconnects = 0;
  private timer: NodeJS.Timeout | null = null;
  private wakeWaiter: (() => void) | null = null;
  private readonly samplersDone = new Set<string>();
  private sampler: string | null = null;
  private best = 0;
  private running = false;
  /** True while a socket is open; the waiter polls more often when it isn't. */
  connected = false;
  /** True once the socket reported the prompt's end. */
  ended = false;

  constructor(private readonly options: SocketOptions) {}

  open(): void {
    if (this.closed) return;
    const url = new URL('ws', this.options.baseUrl.endsWith('/') ? this.options.baseUrl : `${this.options.baseUrl}/`);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('clientId', this.options.clientId);
    const socket = new WebSocket(url, { headers: this.options.headers });
    socket.binaryType = 'arraybuffer';
    this.socket = socket;
    socket.addEventListener('open', () => {
      this.connected = true;
      this.reconnects = 0;
    });
    socket.addEventListener('message', (event) => {
      if (typeof event.data === 'string') this.onMessage(event.data);
    });
    socket.addEventListener('close', () => {
      this.connected = false;
      if (this.socket !== socket || this.closed || this.ended) return;
      this.wake(); // the waiter reads /history at once: the prompt may have ended while we were away
      const pause = Math.min(5_000, 250 * 2 ** this.reconnects++);
      this.timer = setTimeout(() => this.open(), pause);
    });
    socket.addEventListener('error', () => undefined);
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
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.socket?.close();
    this.wake();
  }

  private wake(): void {
    this.wakeWaiter?.();
  }

  private onMessage(text: string): void {
    let message: { type?: unknown; data?: Record<string, unknown> };
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    const data = message.data ?? {};
    // Older ComfyUI sends `progress` without a prompt id; it then belongs to the prompt running now.
    if (data.prompt_id !== undefined && data.prompt_id !== this.options.promptId) return;
    if (data.prompt_id === undefined && (message.type !== 'progress' || !this.running)) return;
    this.running = true;
    if ((message.type === 'executing' && (data.node === null || data.node === undefined)) || (typeof message.type === 'string' && ENDED.has(message.type))) {
      this.ended = true;
      this.wake();
      return;
    }
    if (message.type !== 'progress' || typeof data.value !== 'number' || typeof data.max !== 'number' || data.max <= 0) return;
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
