import type http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** Listens on a free loopback port; `close` drops open connections first (after `before`), so a fake never holds a test open. */
export async function listenLoopback(server: http.Server, before: () => void = () => undefined): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        before();
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
