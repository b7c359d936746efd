import { FormData } from 'undici';
import { BackendError } from '../backend/backend-error.js';
import { BackendHttp, type RetryPolicy } from '../backend/backend-http.js';
import type { Workflow } from './workflow.js';

export interface ComfyClientOptions {
  baseUrl: string;
  /** Sent as `Authorization: Bearer` when ComfyUI sits behind an authenticating proxy. */
  apiKey?: string;
  timeoutMs: number;
  maxBytes: number;
  retry: RetryPolicy;
}

/** A file ComfyUI knows by name, subfolder and kind (`input`, `output`, `temp`). */
export interface ComfyFile {
  filename: string;
  subfolder: string;
  type: string;
  /** Some nodes (VideoHelperSuite) say what they wrote. */
  format?: string;
}

export interface HistoryEntry {
  outputs?: Record<string, Record<string, unknown>>;
  status?: { status_str?: string; completed?: boolean; messages?: [string, Record<string, unknown>][] };
}

interface QueueState {
  queue_running?: unknown[][];
  queue_pending?: unknown[][];
}

/** ComfyUI's error body for a refused prompt: `{"error": {"message", "details"}, "node_errors": {...}}`. */
function describeError(body: unknown) {
  const b = body as { error?: unknown; node_errors?: Record<string, { errors?: { message?: string; details?: string }[] }> } | null;
  const error = b?.error;
  const parts: string[] = [];
  if (typeof error === 'string') parts.push(error);
  else if (error && typeof error === 'object') parts.push(String((error as { message?: unknown }).message ?? ''));
  for (const [node, info] of Object.entries(b?.node_errors ?? {})) {
    for (const e of info.errors ?? []) parts.push(`node ${node}: ${e.message ?? ''}${e.details ? ` (${e.details})` : ''}`);
  }
  const text = parts.filter(Boolean).join('; ');
  return text ? { text } : undefined;
}

/** ComfyUI's HTTP API: uploads, the prompt queue, history and file downloads. */
export class ComfyClient {
  readonly http: BackendHttp;

  constructor(readonly options: ComfyClientOptions) {
    this.http = new BackendHttp({
      label: 'ComfyUI',
      baseUrl: options.baseUrl,
      headers: options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {},
      timeoutMs: options.timeoutMs,
      maxBytes: options.maxBytes,
      retry: options.retry,
      describeError,
    });
  }

  /** `POST /upload/image` into `input/<subfolder>`; answers the name a LoadImage node takes. */
  async upload(bytes: Buffer, filename: string, mediaType: string, subfolder: string, signal: AbortSignal): Promise<string> {
    const form = new FormData();
    form.set('image', new Blob([new Uint8Array(bytes)], { type: mediaType }), filename);
    form.set('type', 'input');
    form.set('subfolder', subfolder);
    form.set('overwrite', 'true');
    // Overwriting the same name with the same bytes is harmless, so retrying is safe.
    const saved = await this.http.json<{ name?: unknown; subfolder?: unknown }>({ method: 'POST', path: 'upload/image', form, idempotent: true }, signal);
    if (typeof saved.name !== 'string') throw new BackendError('generation_failed', 'ComfyUI answered an upload without a file name', true);
    return typeof saved.subfolder === 'string' && saved.subfolder ? `${saved.subfolder}/${saved.name}` : saved.name;
  }

  /**
   * `POST /prompt` with our own `prompt_id` (ComfyUI keeps a supplied id), so a retried or
   * resumed submit can be recognised instead of queued twice.
   */
  async queue(workflow: Workflow, promptId: string, clientId: string, signal: AbortSignal): Promise<void> {
    const answer = await this.http
      .json<{ prompt_id?: unknown }>({ method: 'POST', path: 'prompt', json: { prompt: workflow, prompt_id: promptId, client_id: clientId }, idempotent: false }, signal)
      .catch((err: unknown) => {
        // ComfyUI refuses a workflow it can't run (a missing model, a bad input) with a 400: ours to fix, not the client's.
        if (err instanceof BackendError && err.code === 'invalid_request') throw new BackendError('generation_failed', err.message.replace('rejected the request', 'refused the workflow'), false, err.status);
        throw err;
      });
    if (answer.prompt_id !== undefined && answer.prompt_id !== promptId) {
      throw new BackendError('generation_failed', 'ComfyUI ignored the prompt id Atelier chose; it is too old to resume jobs safely', false);
    }
  }

  /** The prompt's history entry, or null while it has none (queued, running, or never known). */
  async history(promptId: string, signal: AbortSignal): Promise<HistoryEntry | null> {
    const all = await this.http.json<Record<string, HistoryEntry> | null>({ method: 'GET', path: `history/${encodeURIComponent(promptId)}`, idempotent: true }, signal);
    if (!all || typeof all !== 'object') throw new BackendError('generation_failed', 'ComfyUI answered /history with something that is not an object', true);
    const entry = all[promptId];
    return entry && typeof entry === 'object' ? entry : null;
  }

  /** Whether the prompt is running or waiting in ComfyUI's queue. */
  async isQueued(promptId: string, signal: AbortSignal): Promise<boolean> {
    const state = await this.http.json<QueueState>({ method: 'GET', path: 'queue', idempotent: true }, signal);
    const rows = [...(state.queue_running ?? []), ...(state.queue_pending ?? [])];
    return rows.some((row) => Array.isArray(row) && row[1] === promptId);
  }

  /** `GET /view`: one output file's bytes. */
  async view(file: ComfyFile, signal: AbortSignal): Promise<Buffer> {
    const query = { filename: file.filename, subfolder: file.subfolder ?? '', type: file.type ?? 'output' };
    return (await this.http.send({ method: 'GET', path: 'view', query, idempotent: true }, signal)).body;
  }

  /** `POST /queue {"delete": [...]}` and `POST /interrupt`: best effort when a job is cancelled. */
  async cancel(promptId: string, running: boolean, signal: AbortSignal): Promise<void> {
    await this.http.send({ method: 'POST', path: 'queue', json: { delete: [promptId] }, idempotent: true }, signal);
    if (running) await this.http.send({ method: 'POST', path: 'interrupt', json: { prompt_id: promptId }, idempotent: true }, signal);
  }
}

/** Every file the history entry lists under its output nodes (`images`, `gifs`, `videos`, …), in node order. */
export function outputFiles(entry: HistoryEntry): ComfyFile[] {
  const files: ComfyFile[] = [];
  const nodes = Object.entries(entry.outputs ?? {}).sort(([a], [b]) => a.localeCompare(b, undefined, { numeric: true }));
  for (const [, output] of nodes) {
    if (!output || typeof output !== 'object') continue;
    for (const [key, list] of Object.entries(output)) {
      if (key === 'text' || !Array.isArray(list)) continue;
      for (const item of list) {
        const f = item as Partial<ComfyFile> | null;
        if (f && typeof f.filename === 'string' && f.type !== 'temp') files.push({ filename: f.filename, subfolder: String(f.subfolder ?? ''), type: String(f.type ?? 'output'), format: f.format });
      }
    }
  }
  return files;
}
