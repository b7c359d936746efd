import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { GenerationKind, GenerationRequest } from '../../contract/index.js';
import { BackendError } from '../backend/backend-error.js';
import { backendFailure } from '../backend/backend-failure.js';
import type { RetryPolicy } from '../backend/backend-http.js';
import { backendOutput } from '../backend/backend-output.js';
import { isVideoInput, type Engine, type EngineContext, type EngineInput, type EngineOutput, type EngineResult } from '../engine.js';
import { ComfyClient, outputFiles, type HistoryEntry } from './client.js';
import { ProgressSocket } from './progress-socket.js';
import { placeholderOf, requestValues, type ValueSettings } from './values.js';
import { fillWorkflow, MissingValue, placeholdersIn, type Workflow } from './workflow.js';

export interface ComfyUiSettings extends Partial<ValueSettings> {
  baseUrl: string;
  apiKey?: string;
  /** An API-format workflow per generation type it serves. */
  workflows: Partial<Record<GenerationKind, Workflow>>;
  /** Per HTTP call. */
  timeoutMs?: number;
  /** Longest wait for one prompt, queue time included. */
  jobTimeoutMs?: number;
  /** How often /history is read while the socket is down (5× less often while it is up). */
  pollMs?: number;
  maxBytes?: number;
  retry?: Partial<RetryPolicy>;
}

const DEFAULT_RETRY: RetryPolicy = { attempts: 4, backoffMs: 500, maxWaitMs: 60_000 };
const VIDEO_TYPES = new Set<GenerationKind>(['video', 'video_edit', 'video_reframe']);
const EXTENSIONS = { jpeg: 'jpg', png: 'png', webp: 'webp', gif: 'gif' } as const;

/** The two halves of a ComfyUI job, so a resumed job waits on the prompt it already queued. */
export interface ComfyUiBackend {
  /** Uploads the inputs and queues the filled workflow under `promptId`; skips the queueing if ComfyUI already has it. */
  submit(request: GenerationRequest, inputs: EngineInput[], promptId: string, ctx: EngineContext): Promise<void>;
  /** Waits for the prompt to end and fetches its outputs. */
  wait(request: GenerationRequest, promptId: string, ctx: EngineContext): Promise<EngineResult>;
  /** Takes the prompt out of the queue, or interrupts it if it's running. */
  cancel(promptId: string, signal: AbortSignal): Promise<void>;
}

export function comfyUiBackend(settings: ComfyUiSettings): ComfyUiBackend {
  const client = new ComfyClient({
    baseUrl: settings.baseUrl,
    apiKey: settings.apiKey,
    timeoutMs: settings.timeoutMs ?? 30_000,
    maxBytes: settings.maxBytes ?? 512 * 1024 * 1024,
    retry: { ...DEFAULT_RETRY, ...settings.retry },
  });
  const values: ValueSettings = {
    negativePrompt: settings.negativePrompt ?? '',
    megapixels: settings.megapixels ?? 1,
    sizes: settings.sizes ?? {},
    editStrength: settings.editStrength ?? 0.6,
    fps: settings.fps ?? 24,
  };
  const pollMs = settings.pollMs ?? 1_000;
  const jobTimeoutMs = settings.jobTimeoutMs ?? 30 * 60_000;

  async function submit(request: GenerationRequest, inputs: EngineInput[], promptId: string, ctx: EngineContext): Promise<void> {
    const workflow = settings.workflows[request.type];
    if (!workflow) throw new BackendError('invalid_request', `This ComfyUI engine has no workflow for ${request.type} generations`, true);
    // A resumed job whose prompt ComfyUI already holds must not be queued again.
    if ((await client.history(promptId, ctx.signal)) || (await client.isQueued(promptId, ctx.signal))) return;
    const wanted = placeholdersIn(workflow);
    const filled = requestValues(request, inputs, values);
    for (const input of inputs) {
      const name = placeholderOf(input);
      if (!name || !wanted.has(name)) continue;
      const bytes = isVideoInput(input) ? await fs.readFile(input.file) : input.bytes;
      const extension = isVideoInput(input) ? 'mp4' : EXTENSIONS[input.format];
      const mediaType = isVideoInput(input) ? 'video/mp4' : `image/${input.format}`;
      (filled as Record<string, string | number>)[name] = await client.upload(bytes, `${promptId}-${name}.${extension}`, mediaType, 'atelier', ctx.signal);
    }
    let prompt: Workflow;
    try {
      prompt = fillWorkflow(workflow, filled);
    } catch (err) {
      if (err instanceof MissingValue) throw new BackendError('invalid_request', `ComfyUI engine: ${err.message}`, false);
      throw err;
    }
    ctx.progress(0.03);
    await client.queue(prompt, promptId, randomUUID(), ctx.signal);
  }

  async function wait(request: GenerationRequest, promptId: string, ctx: EngineContext): Promise<EngineResult> {
    const workflow = settings.workflows[request.type] ?? {};
    const socket = new ProgressSocket({
      baseUrl: settings.baseUrl,
      apiKey: settings.apiKey,
      clientId: randomUUID(),
      promptId,
      nodes: Object.keys(workflow).length,
      onProgress: (fraction) => ctx.progress(fraction),
    });
    socket.open();
    const deadline = Date.now() + jobTimeoutMs;
    let missing = 0;
    try {
      for (;;) {
        const entry = await client.history(promptId, ctx.signal);
        // ComfyUI writes a history entry only once a prompt has ended.
        if (entry) return await collect(request, entry, ctx);
        if (!entry && !(await client.isQueued(promptId, ctx.signal))) {
          // History is written just after the queue lets go of a prompt: only a second miss means lost.
          if (++missing >= 2) throw new BackendError('generation_failed', 'ComfyUI lost the job: it is neither queued nor in its history (restarted?)', true);
          await sleep(Math.min(pollMs, 250), undefined, { signal: ctx.signal });
          continue;
        }
        missing = 0;
        if (Date.now() > deadline) {
          await client.cancel(promptId, true, ctx.signal).catch(() => undefined);
          throw new BackendError('generation_failed', `ComfyUI did not finish within ${Math.round(jobTimeoutMs / 1000)} s`, true);
        }
        if (socket.ended) await sleep(Math.min(pollMs, 100), undefined, { signal: ctx.signal });
        else await socket.waitForNews(socket.connected ? pollMs * 5 : pollMs, ctx.signal);
        ctx.signal.throwIfAborted();
      }
    } finally {
      socket.close();
    }
  }

  async function collect(request: GenerationRequest, entry: HistoryEntry, ctx: EngineContext): Promise<EngineResult> {
    const status = entry.status ?? {};
    if (status.status_str === 'error' || status.completed === false) {
      const error = status.messages?.find(([type]) => type === 'execution_error' || type === 'execution_interrupted');
      const said = error?.[1]?.exception_message;
      const reason = error?.[0] === 'execution_interrupted' ? 'ComfyUI interrupted the job' : `ComfyUI failed the job${typeof said === 'string' ? `: ${said.slice(0, 300)}` : ''}`;
      return { ok: false, failureCode: 'generation_failed', failureReason: reason, retryable: true };
    }
    const wantVideo = VIDEO_TYPES.has(request.type);
    const files = outputFiles(entry);
    if (files.length === 0) return { ok: false, failureCode: 'output_not_found', failureReason: 'ComfyUI finished without saving an output', retryable: true };
    let found: EngineOutput | undefined;
    for (const file of files) {
      let bytes: Buffer;
      try {
        bytes = await client.view(file, ctx.signal);
      } catch (err) {
        if (err instanceof BackendError) throw new BackendError('output_not_found', `ComfyUI's output ${file.filename} could not be downloaded: ${err.message}`, true, err.status);
        throw err;
      }
      const output = await backendOutput(bytes, 'ComfyUI', ctx);
      if ((output.type === 'video') === wantVideo) {
        found = output;
        break;
      }
    }
    if (!found) return { ok: false, failureCode: 'output_not_found', failureReason: `ComfyUI saved no ${wantVideo ? 'video' : 'image'} output`, retryable: true };
    ctx.progress(1);
    return { ok: true, outputs: [found] };
  }

  return {
    submit,
    wait,
    cancel: async (promptId, signal) => client.cancel(promptId, await client.isQueued(promptId, signal), signal),
  };
}

/** ComfyUI as a plain engine: queue a fresh prompt id, then wait on it. */
export function comfyUiEngine(settings: ComfyUiSettings): Engine {
  const backend = comfyUiBackend(settings);
  return async (request, inputs, ctx) => {
    const promptId = randomUUID();
    try {
      await backend.submit(request, inputs, promptId, ctx);
      return await backend.wait(request, promptId, ctx);
    } catch (err) {
      return backendFailure(err, ctx.signal);
    }
  };
}
