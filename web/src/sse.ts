import { ApiError } from './api.js';

export interface ServerEvent {
  event: string;
  data: unknown;
  id?: string;
}

/**
 * Reads a Server-Sent Events stream with the session's Authorization header (EventSource can't
 * send one), calling `onEvent` per event, until the server ends it or `signal` aborts it.
 * Rejects with the API's error when the stream can't be opened (for one, absent under --strict).
 */
export async function readEvents(url: string, token: string | null, onEvent: (e: ServerEvent) => void, signal: AbortSignal): Promise<void> {
  const response = await fetch(url, { headers: { accept: 'text/event-stream', ...(token ? { authorization: `Bearer ${token}` } : {}) }, signal });
  if (!response.ok || !response.body) {
    let detail = `${response.status} ${response.statusText}`;
    try {
      detail = ((await response.json()) as { detail?: string }).detail ?? detail;
    } catch {
      /* not JSON */
    }
    throw new ApiError(response.status, detail);
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end: number;
    while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
      let event = 'message';
      let id: string | undefined;
      const data: string[] = [];
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event = text;
        else if (field === 'data') data.push(text);
        else if (field === 'id') id = text;
      }
      if (data.length === 0) continue;
      try {
        onEvent({ event, id, data: JSON.parse(data.join('\n')) });
      } catch {
        /* a data line that isn't JSON is not one of ours */
      }
    }
  }
}
