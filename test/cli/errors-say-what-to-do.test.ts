import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Atelier } from '../../src/client/index.js';
import { runCli } from '../helpers/cli.js';
import { KEY_A, startTestServer, waitForGeneration, type TestServer } from '../helpers/server.js';

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const noStack = (stderr: string) => assert.doesNotMatch(stderr, /^\s+at /m, `no stack trace:\n${stderr}`);

describe('errors a newcomer meets say what to do', () => {
  let ts: TestServer;
  let admin: TestServer;
  before(async () => {
    ts = await startTestServer({ workers: '1' });
    admin = await startTestServer({ workers: '0', adminToken: 'the-admin-token' });
  });
  after(async () => {
    await ts.close();
    await admin.close();
  });

  test('an unreachable server: the CLI names the URL, the reason and the flag', async () => {
    const port = await closedPort();
    const result = await runCli('atelier', ['get', 'some-id', '--base-url', `http://127.0.0.1:${port}`, '--api-key', KEY_A]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`could not reach http://127\\.0\\.0\\.1:${port}/v1/generations/some-id: connection refused`));
    assert.match(result.stderr, /atelier serve.*--base-url \(LUMA_BASE_URL\)/);
    noStack(result.stderr);
  });

  test("the SDK's connection error carries the URL and the reason", async () => {
    const port = await closedPort();
    const sdk = new Atelier({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: KEY_A, maxRetries: 0 });
    await assert.rejects(sdk.generations.get('x'), (err: any) => {
      assert.equal(err.name, 'APIConnectionError');
      assert.equal(err.url, `http://127.0.0.1:${port}/v1/generations/x`);
      assert.match(err.message, /connection refused.*Set LUMA_BASE_URL/);
      return true;
    });
  });

  test('a base URL with or without /v1 works in the SDK and both CLIs', async () => {
    for (const base of [ts.url, `${ts.url}/`, `${ts.url}/v1`, `${ts.url}/v1/`]) {
      const sdk = new Atelier({ baseURL: base, apiKey: KEY_A });
      assert.equal(sdk.baseURL, `${ts.url}/v1`);
      const created = await sdk.generations.create({ prompt: 'base url' });
      const cli = await runCli('atelier', ['get', created.id, '--json'], { env: { LUMA_BASE_URL: base, LUMA_AGENTS_API_KEY: KEY_A } });
      assert.equal(cli.code, 0, cli.stderr);
      const luma = await runCli('luma-agents-cli', ['generations', 'get', '--generation-id', created.id, '--base-url', base, '--auth-token', KEY_A]);
      assert.equal(luma.code, 0, luma.stderr);
      assert.equal(JSON.parse(luma.stdout).id, created.id);
    }
  });

  test('a client without /v1 in its base URL gets a 404 that says where the API is', async () => {
    const res = await ts.call('GET', '/generations/abc');
    assert.equal(res.status, 404);
    assert.match((await res.json()).detail, /^Not Found: the API is under \/v1 \(\/v1\/generations\/abc\)\. Give the base URL with \/v1/);
    assert.deepEqual(await (await ts.call('GET', '/nothing-here')).json(), { detail: 'Not Found' });
  });

  test('a missing key names the flag of the CLI that was typed', async () => {
    const atelier = await runCli('atelier', ['get', 'x', '--base-url', ts.url]);
    assert.equal(atelier.code, 2);
    assert.equal(atelier.stderr, 'error: no API key: pass --api-key <key> or set LUMA_AGENTS_API_KEY\n');
    const luma = await runCli('luma-agents-cli', ['generations', 'get', '--generation-id', 'x', '--base-url', ts.url]);
    assert.equal(luma.code, 2);
    assert.equal(luma.stderr, 'error: no API key: pass --auth-token <key> or set LUMA_AGENTS_API_KEY\n');
  });

  test('atelier get exits 1 on a failed generation, as the README says', async () => {
    const res = await ts.call('POST', '/v1/generations', { body: { prompt: 'fails' }, headers: { 'x-atelier-fault': 'generation_failed' } });
    const failed = await waitForGeneration(ts, (await res.json()).id);
    assert.equal(failed.state, 'failed');
    const env = { LUMA_BASE_URL: ts.url, LUMA_AGENTS_API_KEY: KEY_A };
    for (const args of [['get', failed.id], ['get', failed.id, '--json']]) {
      const result = await runCli('atelier', args, { env });
      assert.equal(result.code, 1, args.join(' '));
      assert.match(result.stdout, /generation_failed/);
    }
  });

  test('admin commands: a server without an admin token, a wrong token, no token, no server', async () => {
    const off = await runCli('atelier', ['clients', 'list', '--url', ts.url], { env: { ATELIER_ADMIN_TOKEN: 'x' } });
    assert.equal(off.code, 1);
    assert.match(off.stderr, new RegExp(`the server at ${ts.url} was started without ATELIER_ADMIN_TOKEN, so its admin API is off`));
    assert.match(off.stderr, /Restart it with ATELIER_ADMIN_TOKEN=/);

    const wrong = await runCli('atelier', ['clock', 'now', '--url', `${admin.url}/v1`], { env: { ATELIER_ADMIN_TOKEN: 'not-it' } });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, new RegExp(`the server at ${admin.url} refused the admin token`));

    const ok = await runCli('atelier', ['clock', 'now'], { env: { ATELIER_ADMIN_TOKEN: 'the-admin-token', ATELIER_URL: `${admin.url}/v1` } });
    assert.equal(ok.code, 0, ok.stderr);

    const none = await runCli('atelier', ['clients', 'list', '--url', admin.url], { env: { ATELIER_ADMIN_TOKEN: '' } });
    assert.equal(none.code, 2);
    assert.match(none.stderr, new RegExp(`no admin token: set ATELIER_ADMIN_TOKEN to the token the server at ${admin.url} was started with`));

    const port = await closedPort();
    const gone = await runCli('atelier', ['clients', 'list', '--url', `http://127.0.0.1:${port}`], { env: { ATELIER_ADMIN_TOKEN: 'x' } });
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, new RegExp(`could not reach the server at http://127\\.0\\.0\\.1:${port}: connection refused`));
    noStack(gone.stderr);
  });

  test('a second server on a used port says so in one line, naming --port', async () => {
    const port = new URL(ts.url).port;
    const dataDir = `${ts.dataDir}-second`;
    const result = await runCli('atelier', ['serve', '--port', port, '--data-dir', dataDir], { env: { ATELIER_API_KEYS: KEY_A } });
    fs.rmSync(dataDir, { recursive: true, force: true });
    assert.equal(result.code, 1);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.match(result.stderr, new RegExp(`^atelier: port ${port} on 127\\.0\\.0\\.1 is already in use .*--port <n> \\(ATELIER_PORT\\)`));
  });
});
