import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  answered: number | 'timeout';
}

/** A webhook receiver whose answer to each request is decided by `plan` (a status, or 'timeout' to never answer in time). */
export async function receiver(plan: (index: number) => number | 'timeout') {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const answer = plan(received.length);
      received.push({ headers: req.headers, body, answered: answer });
      if (answer === 'timeout') setTimeout(() => res.writeHead(200).end(), 1500).unref();
      else res.writeHead(answer).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Waits until `what` holds (polling every 25 ms), failing after `ms`. */
export const until = async (what: () => boolean, ms = 15_000) => {
  const deadline = Date.now() + ms;
  while (!what()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
};
