// The baseline: a bare node:http server answering a fixed JSON body.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fixedGeneration } from './fixtures.js';

const body = JSON.stringify(fixedGeneration);

const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body));
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ msg: 'atelier listening', address: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })}\n`);
});
