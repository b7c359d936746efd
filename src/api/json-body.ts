import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { FastifyRequest } from 'fastify';
import { apiError } from '../contract/index.js';
import { forgetDecoded, newTokenBase, registerDecoded, type Decoded } from '../media/predecoded.js';
import type { BodyReply, BodyRequest } from './body-protocol.js';

/** Bodies up to this size are parsed on the main thread: the cost of a thread hop is more than theirs. */
export const INLINE_BODY_BYTES = 256 * 1024;

type Done = (err: Error | null, body?: unknown) => void;

declare module 'fastify' {
  interface FastifyRequest {
    /** Tokens of the data decoded for this request's body, forgotten when it ends. */
    decodedTokens: string[] | null;
  }
}

/**
 * The `application/json` parser. Small bodies are parsed in place; a large one is streamed chunk by
 * chunk to a worker thread, which parses it and decodes its long base64 `data` strings, so a 100 MB
 * body never blocks the event loop. The decoded bytes come back transferred, not copied.
 */
export class JsonBodyParser {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, (reply: BodyReply | null) => void>();
  private next = 0;

  constructor(private readonly options: { bodyLimit: number; maxDecodedBytes: number; threads?: number }) {}

  readonly parse = (request: FastifyRequest, payload: NodeJS.ReadableStream, done: Done): void => {
    const header = request.headers['content-length'];
    const declared = header === undefined ? null : Number(header);
    const limit = this.options.bodyLimit;
    if (declared !== null && declared > limit) return done(apiError('BODY_TOO_LARGE', { limit }));
    if (declared !== null && declared <= INLINE_BODY_BYTES) return readInline(payload, declared, done);
    this.offload(request, payload, declared, done);
  };

  private offload(request: FastifyRequest, payload: NodeJS.ReadableStream, declared: number | null, done: Done): void {
    const id = this.next++;
    const worker = this.worker(id);
    const post = (message: BodyRequest, transfer: ArrayBuffer[] = []) => worker.postMessage(message, transfer);
    let size = 0;
    let finished = false;
    const finish = (err: Error | null, body?: unknown) => {
      if (finished) return;
      finished = true;
      payload.removeListener('data', onData);
      if (err) {
        this.pending.delete(id);
        post({ type: 'abort', id });
      }
      done(err, body);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > this.options.bodyLimit) return finish(apiError('BODY_TOO_LARGE', { limit: this.options.bodyLimit }));
      const copy = new Uint8Array(chunk); // its own buffer, so it moves to the worker without a second copy
      post({ type: 'chunk', id, chunk: copy }, [copy.buffer as ArrayBuffer]);
    };
    payload.on('data', onData);
    payload.on('error', (err) => finish(err as Error));
    payload.on('end', () => {
      if (finished) return;
      if (declared !== null && size !== declared) return finish(apiError('BODY_INVALID_JSON'));
      if (size === 0) return finish(null, undefined);
      const base = newTokenBase();
      this.pending.set(id, (reply) => {
        if (!reply) return finish(apiError('BODY_INVALID_JSON'));
        if (!reply.ok) return finish(apiError('BODY_INVALID_JSON'));
        const values: Decoded[] = reply.parts.map((part) =>
          part.kind === 'bytes' ? { kind: 'bytes', bytes: Buffer.from(part.buffer, part.offset, part.size), size: part.size } : part,
        );
        if (values.length > 0) request.decodedTokens = registerDecoded(base, values);
        finish(null, reply.body);
      });
      post({ type: 'end', id, base, maxDecoded: this.options.maxDecodedBytes });
    });
  }

  /** Round robin over a few threads, started on the first large body. */
  private worker(id: number): Worker {
    const threads = this.options.threads ?? Math.max(1, Math.min(2, os.availableParallelism() - 1));
    const slot = id % threads;
    let worker = this.workers[slot];
    if (!worker) {
      worker = new Worker(new URL('./body-worker.js', import.meta.url));
      worker.unref();
      worker.on('message', (reply: BodyReply) => {
        const resolve = this.pending.get(reply.id);
        this.pending.delete(reply.id);
        resolve?.(reply);
      });
      // A dead worker fails what it held; the next large body starts a new one.
      worker.on('exit', () => {
        if (this.workers[slot] === worker) delete this.workers[slot];
        for (const [pendingId, resolve] of this.pending) if (pendingId % threads === slot) resolve(null);
      });
      this.workers[slot] = worker;
    }
    return worker;
  }

  /** Frees what a request's body decoded, once the request is over. */
  release(request: FastifyRequest): void {
    if (request.decodedTokens) forgetDecoded(request.decodedTokens);
    request.decodedTokens = null;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.filter(Boolean).map((w) => w.terminate()));
  }
}

function readInline(payload: NodeJS.ReadableStream, declared: number, done: Done): void {
  const chunks: Buffer[] = [];
  let size = 0;
  payload.on('data', (chunk: Buffer) => {
    size += chunk.length;
    chunks.push(chunk);
  });
  payload.on('error', (err) => done(err as Error));
  payload.on('end', () => {
    if (size !== declared) return done(apiError('BODY_INVALID_JSON'));
    if (size === 0) return done(null, undefined);
    let body: unknown;
    try {
      body = JSON.parse((chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)).toString('utf8'));
    } catch {
      return done(apiError('BODY_INVALID_JSON'));
    }
    done(null, body);
  });
}
