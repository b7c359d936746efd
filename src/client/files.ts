import { randomUUID } from 'node:crypto';
import { openAsBlob } from 'node:fs';
import path from 'node:path';
import type { FileObject } from '../contract/file-schemas.js';
import type { CreateFileResponse, FileCreate, FileList } from './types.js';
import { readFileHead } from '../media/file-head.js';
import { mediaTypeOf } from './media.js';
import { FileRejectedError } from './errors.js';
import { poll, type PollOptions } from './poll.js';
import type { RequestOptions, Transport } from './transport.js';

export interface UploadOptions {
  /** Defaults to the type sniffed from the bytes (images) or the extension (videos). */
  mimeType?: string;
  filename?: string;
  purpose?: 'input' | 'reference';
  userId?: string;
  expiresAt?: string;
  signal?: AbortSignal;
  /** Wait until the server has checked the file (default true): a `pending` file can't be used yet. */
  wait?: boolean;
  /** Longest wait for the check, in ms (default 60 000). */
  timeout?: number;
}

export interface ListOptions {
  cursor?: string;
  limit?: number;
  purpose?: 'input' | 'reference';
  state?: FileObject['state'];
}

/** The Files API (spec §6): upload once, then reference the file by `file_id`. */
export class Files {
  constructor(private readonly transport: Transport) {}

  /**
   * Multipart upload of a local file or bytes. The server checks a file before it can be used; by
   * default this waits until it is `ready` (and throws FileRejectedError if the check failed).
   * With `wait: false` it returns at once with the `pending` file: `waitFor(id)` before using it.
   */
  async upload(file: string | Buffer, options: UploadOptions = {}): Promise<CreateFileResponse> {
    const head = typeof file === 'string' ? await readFileHead(file, 64) : file;
    const name = options.filename ?? (typeof file === 'string' ? path.basename(file) : 'upload');
    const mimeType = options.mimeType ?? mediaTypeOf(head) ?? 'application/octet-stream';
    const blob = typeof file === 'string' ? await openAsBlob(file, { type: mimeType }) : new Blob([new Uint8Array(file)], { type: mimeType });
    const form = new FormData();
    for (const [field, value] of [['purpose', options.purpose], ['user_id', options.userId], ['expires_at', options.expiresAt]] as const) {
      if (value !== undefined) form.append(field, value);
    }
    form.append('file', blob, name);
    const created = await this.transport.request<CreateFileResponse>('POST', '/files', form, { signal: options.signal, headers: { 'idempotency-key': randomUUID() } });
    if (options.wait === false) return created;
    const settled = created.state === 'pending' ? await this.waitFor(created.id, { signal: options.signal, timeout: options.timeout }) : created.file;
    if (settled.state !== 'ready') throw new FileRejectedError(settled);
    return { ...created, state: settled.state, file: settled };
  }

  /** JSON mode: a presigned PUT to send the bytes to, then `complete`. */
  create(body: FileCreate, options: RequestOptions = {}): Promise<CreateFileResponse> {
    return this.transport.request('POST', '/files', body, { ...options, headers: { 'idempotency-key': randomUUID(), ...options.headers } });
  }

  complete(id: string, options?: RequestOptions): Promise<FileObject> {
    return this.transport.request('POST', `/files/${encodeURIComponent(id)}/complete`, undefined, options);
  }

  get(id: string, options?: RequestOptions): Promise<FileObject> {
    return this.transport.request('GET', `/files/${encodeURIComponent(id)}`, undefined, options);
  }

  list(query: ListOptions = {}, options?: RequestOptions): Promise<FileList> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
    const search = params.size ? `?${params}` : '';
    return this.transport.request('GET', `/files${search}`, undefined, options);
  }

  delete(id: string, options?: RequestOptions): Promise<void> {
    return this.transport.request('DELETE', `/files/${encodeURIComponent(id)}`, undefined, options);
  }

  /** Polls until ingest settles the file (`ready` or `failed`); defaults: 1 minute, every 250 ms to 1 s. */
  waitFor(id: string, options: PollOptions<FileObject> = {}): Promise<FileObject> {
    return poll(id, (signal) => this.get(id, { signal }), (file) => file.state !== 'pending', { timeout: 60_000, interval: 250, maxInterval: 1000 }, options);
  }
}
