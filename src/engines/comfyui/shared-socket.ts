import { randomUUID } from 'node:crypto';
import { WebSocket } from 'undici';

/** What a waiting job hears of its prompt on a shared socket. */
export interface PromptListener {
  /** A message about this prompt: its id matched, or (older ComfyUI) an id-less `progress` while it runs. */
  message(type: string, data: Record<string, unknown>): void;
  /** The socket dropped: messages may have been missed meanwhile. */
  dropped(): void;
}

export interface PromptWatch {
  /** True while the socket is open; a waiter polls more often when it isn't. */
  connected(): boolean;
  close(): void;
}

/** A socket with no prompt to follow stays open this long, for the next job. */
const LINGER_MS = 10_000;
const ENDED = new Set(['execution_success', 'execution_error', 'execution_interrupted']);

/**
 * ComfyUI's `/ws` sockets of one server: ComfyUI sends a prompt's messages only to the socket of
 * the `client_id` it was queued with, so this process queues every prompt under one client id and
 * all its waiting jobs share that one socket. A job resumed from another process follows its
 * prompt on a socket of that process's client id (shared by every job resumed from it). A socket
 * reconnects with a growing pause while a job follows it, and closes once none has for a while.
 */
export class ComfySockets {
  /** The client id this process queues its prompts under. */
  readonly clientId = `atelier-${randomUUID()}`;
  private readonly sockets = new Map<string, SharedSocket>();

  constructor(
    private readonly baseUrl: string,
    private readonly headers: Record<string, string>,
  ) {}

  /** Hands `promptId`'s messages to `listener`, on the socket of the client id it was queued under. */
  watch(clientId: string, promptId: string, listener: PromptListener): PromptWatch {
    let socket = this.sockets.get(clientId);
    if (!socket) {
      socket = new SharedSocket(this.baseUrl, this.headers, clientId, () => this.sockets.delete(clientId));
      this.sockets.set(clientId, socket);
    }
    return socket.follow(promptId, listener);
  }

  /** Sockets open now (one per client id followed). */
  get open(): number {
    return this.sockets.size;
  }

  close(): void {
    for (const socket of this.sockets.values()) socket.close();
    this.sockets.clear();
  }
}

class SharedSocket {
  private socket: WebSocket | null = null;
  private connected = false;
  private closed = false;
  private reconnects = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly listeners = new Map<string, Set<PromptListener>>();
  /** The prompt ComfyUI runs now, as its messages say: an older ComfyUI's `progress` carries no id. */
  private running: string | null = null;

  constructor(
    private readonly baseUrl: string,
    private readonly headers: Record<string, string>,
    private readonly clientId: string,
    private readonly onClosed: () => void,
  ) {}

  follow(promptId: string, listener: PromptListener): PromptWatch {
    this.clearTimer();
    const set = this.listeners.get(promptId) ?? new Set();
    this.listeners.set(promptId, set.add(listener));
    if (!this.socket) this.open();
    return {
      connected: () => this.connected,
      close: () => {
        set.delete(listener);
        if (set.size === 0 && this.listeners.get(promptId) === set) this.listeners.delete(promptId);
        if (this.listeners.size === 0 && !this.closed) {
          this.clearTimer();
          this.timer = setTimeout(() => this.close(), LINGER_MS);
          this.timer.unref();
        }
      },
    };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.clearTimer();
    this.socket?.close();
    this.socket = null;
    for (const set of this.listeners.values()) for (const listener of set) listener.dropped();
    this.onClosed();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private open(): void {
    if (this.closed) return;
    const url = new URL('ws', this.baseUrl.endsWith('/') ? this.baseUrl : `${this.baseUrl}/`);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('clientId', this.clientId);
    const socket = new WebSocket(url, { headers: this.headers });
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
      if (this.socket !== socket || this.closed) return;
      this.connected = false;
      this.socket = null;
      // Each waiter reads /history at once: its prompt may have ended while the socket was away.
      for (const set of this.listeners.values()) for (const listener of set) listener.dropped();
      if (this.listeners.size === 0) return this.close();
      const pause = Math.min(5_000, 250 * 2 ** this.reconnects++);
      this.timer = setTimeout(() => this.open(), pause);
      this.timer.unref();
    });
    socket.addEventListener('error', () => undefined);
  }

  private onMessage(text: string): void {
    let message: { type?: unknown; data?: Record<string, unknown> };
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    const type = typeof message.type === 'string' ? message.type : '';
    const data = message.data && typeof message.data === 'object' ? message.data : {};
    let promptId = typeof data.prompt_id === 'string' ? data.prompt_id : undefined;
    if (promptId !== undefined) {
      const ends = (type === 'executing' && (data.node === null || data.node === undefined)) || ENDED.has(type);
      if (ends) {
        if (this.running === promptId) this.running = null;
      } else if (type === 'execution_start' || type === 'executing' || type === 'progress') this.running = promptId;
    } else if (type === 'progress' && this.running) promptId = this.running;
    if (promptId === undefined) return;
    for (const listener of this.listeners.get(promptId) ?? []) listener.message(type, data);
  }
}
