import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { ERRORS } from '../contract/index.js';

const { status, detail } = ERRORS.CONNECTIONS_TOO_MANY;
const body = JSON.stringify({ detail });
/** Written raw: the connection is refused before any request on it is parsed. */
const REFUSAL =
  `HTTP/1.1 ${status} Too Many Requests\r\nRetry-After: 1\r\nContent-Type: application/json\r\n` +
  `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;

/** Caps the connections one client address holds open; the next is answered 429 and closed. */
export function capConnectionsPerAddress(server: Server, max: number): void {
  if (max <= 0) return;
  const open = new Map<string, number>();
  // Node's own listener parses requests; a refused socket must never reach it.
  const parsers = server.listeners('connection') as Array<(socket: Socket) => void>;
  server.removeAllListeners('connection');
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    const count = open.get(address) ?? 0;
    if (count >= max) {
      socket.on('error', () => undefined);
      socket.end(REFUSAL, () => socket.destroy());
      return;
    }
    open.set(address, count + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left === 0) open.delete(address);
      else open.set(address, left);
    });
    for (const parse of parsers) parse.call(server, socket);
  });
}
