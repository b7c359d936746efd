import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { spawnServer } from '../helpers/process.js';
import { KEY_A, tempDir } from '../helpers/server.js';

const ENV = {
  ATELIER_API_KEYS: KEY_A,
  ATELIER_RPM: '0',
  ATELIER_MAX_CONCURRENT: '0',
  ATELIER_LEASE_MS: '1000',
  ATELIER_ALLOW_PRIVATE_URLS: 'true',
  ATELIER_WEBHOOK_TIMEOUT_MS: '1000',
  ATELIER_WEBHOOK_RETRY_MS: '100,200,400,800,1600',
  ATELIER_POLL_INTERVAL_MS: '50',
};
const headers = { authorization: `Bearer ${KEY_A}`, 'content-type': 'application/json' };

describe('webhook durability', () => {
  test('no delivery is lost across a kill -9 of the server', { timeout: 90_000 }, async () => {
    const bodies = new Map<string, string[]>();
    const received: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];
    // A slow receiver, so the kill lands while deliveries are in flight.
    const receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        setTimeout(() => res.writeHead(200).end(), 150);
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const dataDir = tempDir();
    const ids: string[] = [];
    let secret = '';
    try {
      let server = await spawnServer(['--data-dir', dataDir, '--workers', '2'], ENV);
      const endpoint = await (await fetch(`${server.url}/v1/webhooks`, { method: 'POST', headers, body: JSON.stringify({ url: hookUrl, events: ['generation.failed'] }) })).json();
      secret = endpoint.secret;
      for (let round = 0; round < 2; round++) {
        if (round > 0) server = await spawnServer(['--data-dir', dataDir, '--workers', '2'], ENV);
        for (let i = 0; i < 5; i++) {
          // Injected failures end at once (no rendering), so the kill lands among deliveries, not renders.
          const res = await fetch(`${server.url}/v1/generations`, {
            method: 'POST',
            headers: { ...headers, 'x-atelier-fault': 'generation_failed' },
            body: JSON.stringify({ prompt: `crash ${round}.${i}` }),
          });
          ids.push((await res.json()).id);
        }
        await new Promise((r) => setTimeout(r, 100 + round * 150));
        server.child.kill('SIGKILL');
        await server.exited;
      }
      server = await spawnServer(['--data-dir', dataDir, '--workers', '2'], ENV);
      try {
        const deadline = Date.now() + 60_000;
        const delivered = () => {
          const ok = new Set<string>();
          for (const r of received) {
            const payload = new Webhook(secret).verify(r.body, r.headers as Record<string, string>) as { data: { id: string } };
            ok.add(payload.data.id);
            bodies.set(payload.data.id, [...(bodies.get(payload.data.id) ?? []), r.headers['webhook-id'] as string]);
          }
          return ok;
        };
        while (delivered().size < ids.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
        assert.deepEqual([...delivered()].sort(), [...ids].sort(), 'every failed generation was delivered, signed');
        // At least once: repeats carry the same webhook-id.
        for (const [id, webhookIds] of bodies) assert.equal(new Set(webhookIds).size, 1, id);
      } finally {
        server.child.kill('SIGKILL');
        await server.exited;
      }
    } finally {
      receiver.closeAllConnections();
      receiver.close();
    }
  });
});
