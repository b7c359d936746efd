import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** A raw connection from `from` (another loopback address than the one fetch uses). */
function connect(url: string, from: string): Promise<net.Socket & { received: () => string; ended: Promise<number> }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port), localAddress: from });
    let text = '';
    const opened = Date.now();
    socket.on('data', (chunk) => (text += chunk));
    const closed = new Promise<number>((done) => socket.on('close', () => done(Date.now() - opened)));
    socket.on('error', () => undefined);
    socket.once('connect', () => resolve(Object.assign(socket, { received: () => text, ended: closed })));
    socket.once('error', reject);
  });
}

/** Writes `text` one byte every `everyMs` until the socket closes; returns how many it got out. */
function trickle(socket: net.Socket, text: string, everyMs: number): void {
  let i = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || i >= text.length) return clearInterval(timer);
    socket.write(text[i++]);
  }, everyMs);
  socket.on('close', () => clearInterval(timer));
}

describe('connection timeouts and the per-address cap', () => {
  let ts: TestServer;
  before(async () => {
    ts = await startTestServer({
      workers: '0',
      headersTimeoutMs: '400',
      requestTimeoutMs: '1500',
      keepAliveTimeoutMs: '300',
      maxConnectionsPerAddress: '4',
    });
  });
  after(() => ts.close());

  test('slow-loris connections are closed while normal traffic is served', async () => {
    const headers = 'GET /healthz HTTP/1.1\r\nHost: x\r\n' + 'X-Slow: yes\r\n'.repeat(100);
    const slow = await Promise.all([1, 2, 3].map(() => connect(ts.url, '127.0.0.2')));
    for (const socket of slow) trickle(socket, headers, 50);
    const silent = await connect(ts.url, '127.0.0.2');

    // Normal requests are served the whole time the slow ones are held, until they are closed.
    let open = slow.length + 1;
    for (const socket of [...slow, silent]) void socket.ended.then(() => open--);
    const served: number[] = [];
    const started = Date.now();
    while (open > 0 && Date.now() - started < 5000) {
      served.push((await fetch(`${ts.url}/healthz`)).status);
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(served.length >= 2 && served.every((s) => s === 200), String(served));
    for (const socket of [...slow, silent]) {
      const lived = await socket.ended;
      assert.ok(lived < 2500, `closed after ${lived} ms`);
    }
    assert.match(slow[0].received(), /^HTTP\/1.1 408/);
  });

  test('a body trickled slower than the request timeout is cut off', async () => {
    const socket = await connect(ts.url, '127.0.0.3');
    socket.write(`POST /v1/generations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer nope\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n`);
    trickle(socket, '{"prompt":"' + 'x'.repeat(990), 50);
    const lived = await socket.ended;
    assert.ok(lived < 3000, `closed after ${lived} ms`);
  });

  test('an idle keep-alive connection is closed after the keep-alive timeout', async () => {
    const socket = await connect(ts.url, '127.0.0.4');
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    const lived = await socket.ended;
    assert.match(socket.received(), /^HTTP\/1.1 200/);
    assert.ok(lived >= 250 && lived < 2500, `closed after ${lived} ms`);
  });

  test('past the per-address cap a connection is answered 429 and closed; other addresses are served', async () => {
    const held = await Promise.all([1, 2, 3, 4].map(() => connect(ts.url, '127.0.0.5')));
    const refused = await connect(ts.url, '127.0.0.5');
    refused.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await refused.ended;
    assert.match(refused.received(), /^HTTP\/1.1 429 /);
    assert.match(refused.received(), /\{"detail":"Too many open connections from this address"\}$/);
    assert.equal((await fetch(`${ts.url}/healthz`)).status, 200);
    for (const socket of held) socket.destroy();
    await Promise.all(held.map((s) => s.ended));
    // The server sees the closes a moment after the client does.
    let answer = '';
    for (let i = 0; i < 20 && !answer.startsWith('HTTP/1.1 200'); i++) {
      const again = await connect(ts.url, '127.0.0.5');
      again.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      await again.ended;
      answer = again.received();
      await new Promise((r) => setTimeout(r, 25));
    }
    assert.match(answer, /^HTTP\/1.1 200/, 'closed connections give their place back');
  });
});
