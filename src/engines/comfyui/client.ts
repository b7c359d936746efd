import { FormData } from 'undici';
import { BackendError } from '../backend/backend-error.js';
import { callUpstream, jsonOf } from '../backend/upstream-call.js';
import type { RemoteContext } from '../remote/remote-engine.js';
import type { Workflow } from './workflow.js';

export const LABEL = 'ComfyUI';

type Ctx = Pick<RemoteContext, 'http' | 'signal'>;

/** A file ComfyUI knows by name, subfolder and kind (`input`, `output`, `temp`). */
export interface ComfyFile {
  filename: string;
  subfolder: string;
  type: string;
  /** Some nodes (VideoHelperSuite) say what they wrote: `video/h264-mp4`, `image/gif`. */
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
function describe(body: unknown) {
  const b = body as { error?: unknown; node_errors?: Record<string, { errors?: { message?: string; details?: string }[] }> } | null;
  const error = b?.error;
  const parts: string[] = [];
  if (typeof error === 'string') parts.push(error);
  else if (error && typeof error === 'object') parts.push(String((error as { message?: unknown }).message ?? ''));
  for (const [node, info] of Object.entries(b?.node_errors ?? {})) {
    for (const e of info?.errors ?? []) parts.push(`node ${node}: ${e.message ?? ''}${e.details ? ` (${e.details})` : ''}`);
  }
  const text = parts.filter(Boolean).join('; ');
  return text ? { text } : undefined;
}

/** `POST /upload/image` into `input/<subfolder>`; answers the name a LoadImage node takes. */
export async function uploadInput(ctx: Ctx, bytes: Buffer, filename: string, mediaType: string, subfolder: string): Promise<string> {
  const form = new FormData();
  form.set('image', new Blob([new Uint8Array(bytes)], { type: mediaType }), filename);
  form.set('type', 'input');
  form.set('subfolder', subfolder);
  form.set('overwrite', 'true');
  const res = await callUpstream(ctx, 'POST', 'upload/image', { label: LABEL, body: form as never, describe });
  const saved = jsonOf<{ name?: unknown; subfolder?: unknown }>(res, LABEL);
  if (typeof saved.name !== 'string') throw new BackendError('generation_failed', 'ComfyUI answered an upload without a file name', true);
  return typeof saved.subfolder === 'string' && saved.subfolder ? `${saved.subfolder}/${saved.name}` : saved.name;
}

/**
 * `POST /prompt` with our own `prompt_id` (ComfyUI keeps a supplied id), so a retried or
 * resumed submit can find its prompt instead of queueing it twice.
 */
export async function queuePrompt(ctx: Ctx, workflow: Workflow, promptId: string, clientId: string): Promise<void> {
  let res;
  try {
    res = await callUpstream(ctx, 'POST', 'prompt', { label: LABEL, json: { prompt: workflow, prompt_id: promptId, client_id: clientId }, describe });
  } catch (err) {
    // A workflow ComfyUI can't run (a missing model or node, a bad input) is ours to fix, not the client's.
    if (err instanceof BackendError && err.code === 'invalid_request') throw new BackendError('generation_failed', err.message.replace('rejected the request', 'refused the workflow'), false, err.detail);
    throw err;
  }
  const answer = jsonOf<{ prompt_id?: unknown }>(res, LABEL);
  if (answer.prompt_id !== undefined && answer.prompt_id !== promptId) {
    // An older ComfyUI queued it under its own id: take it back rather than run work nobody waits for.
    await cancelPrompt(ctx, String(answer.prompt_id)).catch(() => undefined);
    throw new BackendError('generation_failed', 'ComfyUI ignored the prompt id Atelier chose', false, `it answered ${String(answer.prompt_id)}: too old a ComfyUI to resume jobs safely`);
  }
}

/** The prompt's history entry, or null while it has none (queued, running, or never known). */
export async function readHistory(ctx: Ctx, promptId: string): Promise<HistoryEntry | null> {
  const all = jsonOf<Record<string, HistoryEntry> | null>(await callUpstream(ctx, 'GET', `history/${encodeURIComponent(promptId)}`, { label: LABEL }), LABEL);
  if (!all || typeof all !== 'object') throw new BackendError('generation_failed', 'ComfyUI answered /history with something that is not an object', true);
  const entry = all[promptId];
  return entry && typeof entry === 'object' ? entry : null;
}

/** Whether the prompt is running (`running`) or waiting (`pending`) in ComfyUI's queue. */
export async function queuePlace(ctx: Ctx, promptId: string): Promise<'running' | 'pending' | null> {
  const state = jsonOf<QueueState>(await callUpstream(ctx, 'GET', 'queue', { label: LABEL }), LABEL);
  const has = (rows: unknown[][] | undefined) => (rows ?? []).some((row) => Array.isArray(row) && row[1] === promptId);
  return has(state.queue_running) ? 'running' : has(state.queue_pending) ? 'pending' : null;
}

/** Takes a pending prompt off the queue, or interrupts it when it runs (only it: the id is sent). */
export async function cancelPrompt(ctx: Ctx, promptId: string): Promise<void> {
  const place = await queuePlace(ctx, promptId);
  if (place === 'pending') await callUpstream(ctx, 'POST', 'queue', { label: LABEL, json: { delete: [promptId] } });
  if (place === 'running') await callUpstream(ctx, 'POST', 'interrupt', { label: LABEL, json: { prompt_id: promptId } });
}

/** The `/view` URL of an output file. */
export function viewUrl(baseUrl: string, file: ComfyFile): string {
  const url = new URL('view', baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  url.searchParams.set('filename', file.filename);
  url.searchParams.set('subfolder', file.subfolder);
  url.searchParams.set('type', file.type);
  return url.href;
}

/** Every file the history entry lists under its output nodes (`images`, `gifs`, `videos` …), in node order; temp previews left out. */
export function outputFiles(entry: HistoryEntry): ComfyFile[] {
  const files: ComfyFile[] = [];
  const nodes = Object.entries(entry.outputs ?? {}).sort(([a], [b]) => a.localeCompare(b, undefined, { numeric: true }));
  for (const [, output] of nodes) {
    if (!output || typeof output !== 'object') continue;
    for (const [key, list] of Object.entries(output)) {
      if (key === 'text' || !Array.isArray(list)) continue;
      for (const item of list) {
        const f = item as Partial<ComfyFile> | null;
        if (f && typeof f.filename === 'string' && f.type !== 'temp') {
          files.push({ filename: f.filename, subfolder: String(f.subfolder ?? ''), type: String(f.type ?? 'output'), format: f.format });
        }
      }
    }
  }
  return files;
}
