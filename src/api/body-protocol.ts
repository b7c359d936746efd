/** Messages between the JSON body parser and its worker threads. */
export type BodyRequest =
  | { type: 'chunk'; id: number; chunk: Uint8Array }
  | { type: 'end'; id: number; base: string; maxDecoded: number }
  | { type: 'abort'; id: number };

export type DecodedPart =
  | { kind: 'bytes'; buffer: ArrayBuffer; offset: number; size: number }
  | { kind: 'invalid' }
  | { kind: 'too-large'; size: number };

export type BodyReply = { id: number; ok: true; body: unknown; parts: DecodedPart[] } | { id: number; ok: false };
