// The baseline: a bare node:http server answering a fixed JSON body.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const body = JSON.stringify({
  id: 'd290f1ee-6c54-4b01-90e6-d701748f0851',
  type: 'image',
  state: 'queued',
  model: 'uni-1',
  created_at: '2026-04-08T12:00:00Z',
  output: [],
  failure_reason: null,
  failure_code: null,
});

const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body));
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ msg: 'atelier listening', address: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })}\n`);
});
