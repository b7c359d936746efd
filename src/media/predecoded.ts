import { randomUUID } from 'node:crypto';

/** Base64 data decoded off the main thread, or what was wrong with it. */
export type Decoded = { kind: 'bytes'; bytes: Buffer; size: number } | { kind: 'invalid' } | { kind: 'too-large'; size: number };

/**
 * Stand-ins for the `data` strings of large bodies: the body parser decodes them in a worker and
 * puts a short unguessable token in their place, so neither validation nor decoding touches the
 * long string on the main thread. A client can't forge a token: an unknown one is just bad base64.
 */
const decoded = new Map<string, Decoded>();
const PREFIX = '\u0000decoded:';

/** The start of a body's tokens; its `i`th data string becomes `base + i`. */
export const newTokenBase = () => `${PREFIX}${randomUUID()}:`;

export function registerDecoded(base: string, values: Decoded[]): string[] {
  return values.map((value, i) => {
    decoded.set(base + i, value);
    return base + i;
  });
}

export function takeDecoded(token: string): Decoded | undefined {
  return token.startsWith(PREFIX) ? decoded.get(token) : undefined;
}

export function forgetDecoded(tokens: readonly string[]): void {
  for (const token of tokens) decoded.delete(token);
}
