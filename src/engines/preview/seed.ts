import { createHash } from 'node:crypto';
import type { GenerationRequest } from '../../contract/index.js';
import type { ImageInput } from '../engine.js';

/** Everything that shapes the picture, hashed: the same request and inputs give the same seed. */
export function requestSeed(request: GenerationRequest, inputs: ImageInput[]): Buffer {
  const { prompt, model, type, aspect_ratio, style, output_format } = request;
  const hash = createHash('sha256').update(JSON.stringify({ prompt, model, type, aspect_ratio, style, output_format }));
  for (const input of inputs) hash.update(`\n${input.role}:${input.index}:${input.bytes.length}:`).update(input.bytes);
  return hash.digest();
}

/** A small deterministic PRNG (mulberry32) seeded from the hash; never Math.random. */
export function random(seed: Buffer): () => number {
  let state = seed.readUInt32LE(0);
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
