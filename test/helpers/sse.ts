export interface SseEvent {
  id?: string;
  event: string;
  data: any;
}

/** Reads Server-Sent Events from `url` until the stream ends or `stop` says so; returns them all. */
export async function readEvents(url: string, headers: Record<string, string>, stop: (events: SseEvent[]) => boolean = () => false, timeoutMs = 20_000): Promise<SseEvent[]> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  const events: SseEvent[] = [];
  try {
    const res = await fetch(url, { headers, signal: abort.signal });
    if (res.status !== 200) throw new Error(`${res.status} ${await res.text()}`);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event: Partial<SseEvent> = {};
        for (const line of block.split('\n')) {
          const colon = line.indexOf(':');
          if (colon <= 0) continue;
          const [field, value] = [line.slice(0, colon), line.slice(colon + 1).trimStart()];
          if (field === 'id') event.id = value;
          if (field === 'event') event.event = value;
          if (field === 'data') event.data = JSON.parse(value);
        }
        if (event.event) events.push(event as SseEvent);
        if (stop(events)) {
          abort.abort();
          return events;
        }
      }
    }
    return events;
  } catch (err) {
    if (abort.signal.aborted) return events;
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
