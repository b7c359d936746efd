import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import selfsigned from 'selfsigned';

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export interface FakeHost {
  /** e.g. https://127.0.0.1:4431 */
  origin: string;
  close(): Promise<void>;
}

/** A self-signed certificate for localhost, images.example.test, 127.0.0.1 and 127.0.0.2; trusted only where a test passes it as `ca`. */
export async function testCertificate(): Promise<{ cert: string; key: string }> {
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 2, value: 'images.example.test' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '127.0.0.2' },
        ],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/** A fake HTTP or HTTPS host on a loopback address, answering with `handler`. */
export async function fakeHost(handler: Handler, options: { tls?: { cert: string; key: string }; address?: string } = {}): Promise<FakeHost> {
  const server = options.tls ? https.createServer(options.tls, handler) : http.createServer(handler);
  const address = options.address ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `${options.tls ? 'https' : 'http'}://${address}:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
