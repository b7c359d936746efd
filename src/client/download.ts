import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Generation } from '../contract/schemas.js';
import { APIError } from './errors.js';

type Output = Generation['output'][number];

/** Where a download lands: `target` itself, or the URL's file name inside `target` when it is a directory. */
async function destination(url: string, target: string): Promise<string> {
  const isDir = target.endsWith(path.sep) || target.endsWith('/') || (await stat(target).catch(() => null))?.isDirectory();
  if (!isDir) return target;
  return path.join(target, path.basename(new URL(url).pathname));
}

/** Streams an output (or its URL) to a file, atomically; returns the path written. */
export async function download(output: Output | string, target: string, options: { signal?: AbortSignal } = {}): Promise<string> {
  const url = typeof output === 'string' ? output : output.url;
  const file = await destination(url, target);
  const res = await fetch(url, { signal: options.signal });
  if (!res.ok || !res.body) {
    const text = await res.text().catch(() => '');
    let detail = text;
    try {
      detail = JSON.parse(text).detail ?? text;
    } catch {
      // keep the raw text
    }
    throw APIError.from(res.status, detail || res.statusText, res.headers.get('x-request-id'), res.headers);
  }
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const partial = `${file}.part`;
  try {
    await pipeline(Readable.fromWeb(res.body as any), createWriteStream(partial));
    await rename(partial, file);
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
  return file;
}
