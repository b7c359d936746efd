import { Type, type Static } from '@sinclair/typebox';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { GenerationKind } from '../../contract/index.js';
import { COMFYUI_FIELDS } from '../../contract/engine-fields.js';
import { asFailure, BackendError } from '../backend/backend-error.js';
import { isVideoInput } from '../engine.js';
import type { RemoteContext, RemoteEngine, RemoteEngineFactory, RemoteJob, RemoteOutput, UpstreamHandle, WaitResult } from '../remote/remote-engine.js';
import { cancelPrompt, outputFiles, queuePlace, queuePrompt, readHistory, uploadInput, viewUrl, type ComfyFile, type HistoryEntry } from './client.js';
import { ProgressSocket } from './progress-socket.js';
import { ComfySockets } from './shared-socket.js';
import { placeholderOf, requestValues, valueSettings } from '../backend/request-values.js';
import { fillWorkflow, MissingValue, placeholdersIn, workflowProblem, type Workflow } from './workflow.js';

const Fields = Type.Object(COMFYUI_FIELDS);
export type ComfyUiFields = Static<typeof Fields>;

const VIDEO_TYPES = new Set<GenerationKind>(['video', 'video_edit', 'video_reframe']);
const IMAGE_EXTENSIONS: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', webp: 'image/webp' };
const VIDEO_EXTENSIONS: Record<string, string> = { mp4: 'video/mp4', webm: 'video/webm', mov: 'video/quicktime' };
const INPUT_EXTENSIONS = { jpeg: 'jpg', png: 'png', webp: 'webp', gif: 'gif' } as const;
/** Consecutive failed reads of /history or /queue tolerated while waiting (a ComfyUI restarting, a proxy blip). */
const READ_FAILURES = 5;

/** Reads and checks each workflow file at start; a bad one stops the start naming the file and the problem. */
function loadWorkflows(name: string, files: ComfyUiFields['workflows'], configDir: string): Partial<Record<GenerationKind, Workflow>> {
  const workflows: Partial<Record<GenerationKind, Workflow>> = {};
  for (const [type, file] of Object.entries(files) as [GenerationKind, string][]) {
    const where = `engines.${name}.workflows.${type}`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(fs.readFileSync(path.resolve(configDir, file), 'utf8'));
    } catch (err) {
      throw new Error(`${where}: ${file} could not be read as JSON (${(err as Error).message})`);
    }
    const problem = workflowProblem(parsed);
    if (problem) throw new Error(`${where}: ${file} ${problem}`);
    workflows[type] = parsed as Workflow;
  }
  return workflows;
}

/** A UUID made from the job's idempotency key: the same try always queues under the same prompt id. */
export function promptIdFor(idempotencyKey: string): string {
  const hex = createHash('sha256').update(idempotencyKey).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The output file this generation keeps: the first video for video types, the first image otherwise. */
function pickOutput(files: ComfyFile[], video: boolean): { file: ComfyFile; mediaType: string } | null {
  for (const file of files) {
    const extension = file.filename.split('.').pop()?.toLowerCase() ?? '';
    const mediaType = (video ? VIDEO_EXTENSIONS : IMAGE_EXTENSIONS)[extension];
    if (mediaType) return { file, mediaType };
  }
  return null;
}

/**
 * ComfyUI: the workflow for the request's type, its `{{placeholders}}` filled, inputs uploaded
 * through `/upload/image`, queued with `POST /prompt` under a prompt id derived from the job's
 * idempotency key. `wait` follows `/ws` for progress and reads the outcome from `/history`;
 * outputs are handed back as `/view` URLs for the machinery to fetch and check.
 */
export const comfyUiEngineType: RemoteEngineFactory<ComfyUiFields> = {
  type: 'comfyui',
  fields: COMFYUI_FIELDS,
  serves: ['image', 'image_edit', 'video', 'video_edit', 'video_reframe'],
  create(entry, deps): RemoteEngine {
    const workflows = loadWorkflows(entry.name, entry.workflows, deps.configDir);
    const values = valueSettings(entry);
    const socketHeaders = { ...entry.headers, ...(entry.apiKey && !entry.headers.authorization ? { authorization: `Bearer ${entry.apiKey}` } : {}) };
    const serves = (entry.serves ?? comfyUiEngineType.serves).filter((type) => workflows[type]);
    let sockets: ComfySockets | undefined;
    const socketsOf = (ctx: RemoteContext) => (sockets ??= new ComfySockets(ctx.http.baseUrl, socketHeaders));
    /** The handle of a prompt this process queues: its messages go to this process's client id. */
    const handleOf = (promptId: string, ctx: RemoteContext): UpstreamHandle => ({ id: promptId, state: { client_id: socketsOf(ctx).clientId } });

    async function submit(job: RemoteJob, ctx: RemoteContext) {
      const { request } = job;
      const promptId = promptIdFor(job.idempotencyKey);
      try {
        const workflow = workflows[request.type];
        if (!workflow) throw new BackendError('invalid_request', `This ComfyUI engine has no workflow for ${request.type} generations`, true);
        // A submit whose answer was lost, tried again: ComfyUI already holds the prompt.
        if ((await readHistory(ctx, promptId)) || (await queuePlace(ctx, promptId))) return { kind: 'submitted' as const, handle: handleOf(promptId, ctx) };
        const wanted = placeholdersIn(workflow);
        const filled = requestValues(request, job.inputs, values) as Record<string, string | number>;
        for (const input of job.inputs) {
          const name = placeholderOf(input);
          if (!name || !wanted.has(name)) continue;
          const video = isVideoInput(input);
          const bytes = video ? await fs.promises.readFile(input.file) : input.bytes;
          const extension = video ? 'mp4' : INPUT_EXTENSIONS[input.format];
          filled[name] = await uploadInput(ctx, bytes, `${promptId}-${name}.${extension}`, video ? 'video/mp4' : `image/${input.format}`, 'atelier');
        }
        let prompt: Workflow;
        try {
          prompt = fillWorkflow(workflow, filled);
        } catch (err) {
          if (err instanceof MissingValue) {
            const names = err.placeholders.map((p) => `{{${p}}}`).join(' and ');
            throw new BackendError('invalid_request', `This model's ${request.type} workflow needs ${names}, which the request does not give`, false);
          }
          throw err;
        }
        // The prompt's own messages go only to the socket of its client_id: this process's shared one.
        const handle = handleOf(promptId, ctx);
        await queuePrompt(ctx, prompt, promptId, String(handle.state!.client_id));
        ctx.progress(0.03);
        return { kind: 'submitted' as const, handle };
      } catch (err) {
        return asFailure(err, ctx.signal);
      }
    }

    async function wait(handle: UpstreamHandle, job: RemoteJob, ctx: RemoteContext): Promise<WaitResult> {
      const socket = new ProgressSocket({
        sockets: socketsOf(ctx),
        // Prompts queued before client ids were shared used their prompt id as client id.
        clientId: typeof handle.state?.client_id === 'string' ? handle.state.client_id : handle.id,
        promptId: handle.id,
        samplers: Object.values(workflows[job.request.type] ?? {}).filter((node) => /sampler/i.test(node.class_type) && !/select/i.test(node.class_type)).length,
        onProgress: (fraction) => ctx.progress(fraction),
      });
      let missing = 0;
      let failedReads = 0;
      try {
        for (;;) {
          let ended: HistoryEntry | null;
          let place: 'running' | 'pending' | null = null;
          try {
            ended = await readHistory(ctx, handle.id);
            if (!ended) place = await queuePlace(ctx, handle.id);
            failedReads = 0;
          } catch (err) {
            if (!(err instanceof BackendError) || !err.retryable || ++failedReads >= READ_FAILURES) throw err;
            await ctx.sleep(Math.min(5_000, entry.poll_interval_ms * 2 ** failedReads));
            continue;
          }
          // ComfyUI writes a history entry only once a prompt has ended.
          if (ended) return outcome(ended, job, ctx.http.baseUrl);
          if (!place) {
            // History is written just after the queue lets go of a prompt: only a second miss means lost.
            if (++missing >= 2) throw new BackendError('generation_failed', 'ComfyUI lost the job', true, `prompt ${handle.id} is neither queued nor in the history (ComfyUI restarted?)`);
            await ctx.sleep(250);
            continue;
          }
          missing = 0;
          if (socket.ended) await ctx.sleep(100);
          else await socket.waitForNews(socket.connected ? 5 * entry.poll_interval_ms : entry.poll_interval_ms, ctx.signal);
          ctx.signal.throwIfAborted();
        }
      } catch (err) {
        return asFailure(err, ctx.signal);
      } finally {
        socket.close();
      }
    }

    return {
      kind: 'remote',
      name: entry.name,
      type: 'comfyui',
      serves,
      submit,
      wait,
      cancel: async (handle, ctx) => {
        await cancelPrompt(ctx, handle.id).catch(() => undefined);
      },
      close: async () => sockets?.close(),
    };
  },
};

/** What an ended prompt's history entry says: its error, or the output file to fetch. */
function outcome(entry: HistoryEntry, job: RemoteJob, baseUrl: string): WaitResult {
  const status = entry.status ?? {};
  if (status.status_str === 'error' || status.completed === false) {
    const error = status.messages?.find(([type]) => type === 'execution_error' || type === 'execution_interrupted');
    const said = error?.[1]?.exception_message;
    const interrupted = error?.[0] === 'execution_interrupted';
    return {
      kind: 'failed',
      failure: {
        failureCode: 'generation_failed',
        failureReason: interrupted ? 'ComfyUI interrupted the job' : `ComfyUI failed the job${typeof said === 'string' ? `: ${said.slice(0, 200)}` : ''}`,
        retryable: true,
        detail: JSON.stringify(error?.[1] ?? status).slice(0, 1000),
      },
    };
  }
  const video = VIDEO_TYPES.has(job.request.type);
  const picked = pickOutput(outputFiles(entry), video);
  if (!picked) {
    return { kind: 'failed', failure: { failureCode: 'output_not_found', failureReason: 'Output artifacts not found', retryable: true, detail: `ComfyUI saved no ${video ? 'video' : 'image'} output: ${JSON.stringify(entry.outputs ?? {}).slice(0, 500)}` } };
  }
  const output: RemoteOutput = { type: video ? 'video' : 'image', url: viewUrl(baseUrl, picked.file), mediaType: picked.mediaType };
  return { kind: 'done', outputs: [output] };
}
