// Parses large JSON bodies and decodes their base64 `data` off the main thread (see json-body.ts).
import { parentPort } from 'node:worker_threads';
import { base64Shape } from '../media/ingest.js';
import type { BodyReply, BodyRequest, DecodedPart } from './body-protocol.js';

/** A `data` string shorter than this stays in the body as it is. */
const LONG = 64 * 1024;
const bodies = new Map<number, Buffer[]>();

function decodeLongData(body: unknown, base: string, maxDecoded: number, parts: DecodedPart[], transfer: ArrayBuffer[]): void {
  if (body === null || typeof body !== 'object') return;
  if (Array.isArray(body)) {
    for (const item of body) decodeLongData(item, base, maxDecoded, parts, transfer);
    return;
  }
  const object = body as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    const value = object[key];
    if (key === 'data' && typeof value === 'string' && value.length > LONG) {
      const shape = base64Shape(value);
      if (!shape) parts.push({ kind: 'invalid' });
      else if (shape.size > maxDecoded) parts.push({ kind: 'too-large', size: shape.size });
      else {
        const bytes = Buffer.from(shape.compact, 'base64');
        parts.push({ kind: 'bytes', buffer: bytes.buffer as ArrayBuffer, offset: bytes.byteOffset, size: bytes.length });
        transfer.push(bytes.buffer as ArrayBuffer);
      }
      object[key] = base + (parts.length - 1);
    } else {
      decodeLongData(value, base, maxDecoded, parts, transfer);
    }
  }
}

parentPort!.on('message', (message: BodyRequest) => {
  const { id } = message;
  if (message.type === 'chunk') {
    const chunks = bodies.get(id) ?? [];
    chunks.push(Buffer.from(message.chunk.buffer, message.chunk.byteOffset, message.chunk.byteLength));
    bodies.set(id, chunks);
    return;
  }
  const chunks = bodies.get(id) ?? [];
  bodies.delete(id);
  if (message.type === 'abort') return;
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    parentPort!.postMessage({ id, ok: false } satisfies BodyReply);
    return;
  }
  const parts: DecodedPart[] = [];
  const transfer: ArrayBuffer[] = [];
  decodeLongData(body, message.base, message.maxDecoded, parts, transfer);
  parentPort!.postMessage({ id, ok: true, body, parts } satisfies BodyReply, transfer);
});
