import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import pg from 'pg';
import { openStore } from '../../src/store/index.js';
import { runCli } from '../helpers/cli.js';
import { postgresSchema, postgresSkip, POSTGRES_URL } from '../helpers/dialects.js';
import { solidImage } from '../helpers/images.js';
import { spawnServer, stopProcesses, type ServerProcess } from '../helpers/process.js';
import { KEY_A } from '../helpers/server.js';
import { tempDir } from '../helpers/temp-dir.js';

const ADMIN = 'migrate-test-admin-token-0123456789';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const pgSkip = await postgresSkip();

interface Api {
  url: string;
  call(method: string, route: string, options?: { key?: string; body?: unknown; headers?: Record<string, string> }): Promise<{ status: number; headers: Headers; body: any }>;
}

function api(server: ServerProcess): Api {
  return {
    url: server.url,
    async call(method, route, options = {}) {
      const admin = route.startsWith('/admin/');
      const headers: Record<string, string> = { authorization: `Bearer ${admin ? ADMIN : (options.key ?? KEY_A)}`, ...options.headers };
      let body: BodyInit | undefined;
      if (options.body instanceof FormData) body = options.body;
      else if (options.body !== undefined) {
        body = JSON.stringify(options.body);
        headers['content-type'] = 'application/json';
      }
      const res = await fetch(server.url + route, { method, headers, body });
      const text = await res.text();
      return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
    },
  };
}

async function submit(server: Api, body: object, key: string, headers: Record<string, string> = {}): Promise<string> {
  const res = await server.call('POST', '/v1/generations', { key, body, headers });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.id;
}

async function ended(server: Api, id: string, key: string): Promise<any> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const { body } = await server.call('GET', `/v1/generations/${id}`, { key });
    if (body.state === 'completed' || body.state === 'failed') return body;
    assert.ok(Date.now() < deadline, `${id} still ${body.state}`);
    await sleep(100);
  }
}

/** A generation as polled, with each output URL cut to its path: the query is a fresh signature on every GET. */
const stable = (g: any) => ({ ...g, output: g.output.map((o: any) => ({ ...o, url: new URL(o.url).pathname })) });

async function download(url: string): Promise<Buffer> {
  const res = await fetch(url);
  assert.equal(res.status, 200, `${url}: ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

test(
  'atelier migrate moves a stopped embedded install into a Postgres schema: refuses while it runs, a second run changes nothing, the Postgres server serves the old generations, outputs, balances and usage, and takes new work',
  { skip: pgSkip, timeout: 300_000 },
  async () => {
    const dataDir = tempDir('atelier-migrate-');
    const db = await postgresSchema();
    const sql = new pg.Client({ connectionString: POSTGRES_URL, options: `-c search_path=${db.schema}` });
    await sql.connect();
    const env = { ATELIER_API_KEYS: KEY_A, ATELIER_ADMIN_TOKEN: ADMIN, ATELIER_RPM: '0', ATELIER_MAX_CONCURRENT: '0', ATELIER_POLL_INTERVAL_MS: '100' };
    const running: ServerProcess[] = [];
    const start = async (args: string[], extra: NodeJS.ProcessEnv = {}) => {
      const server = await spawnServer(['--data-dir', dataDir, ...args], { ...env, ...extra });
      running.push(server);
      return server;
    };
    const stop = async (server: ServerProcess) => {
      running.splice(running.indexOf(server), 1);
      assert.deepEqual(await stopProcesses([server]), [0], 'the server drains and exits 0');
    };
    const migrate = () => runCli('atelier', ['migrate', '--from', dataDir, '--to', db.url]);
    try {
      // The embedded install, doing real work.
      const embeddedProcess = await start([]);
      const embedded = api(embeddedProcess);
      const client = await embedded.call('POST', '/admin/v1/clients', { body: { name: 'metered', credits_usd: 20 } });
      assert.equal(client.status, 201, JSON.stringify(client.body));
      const metered: string = client.body.key;
      const clientId: string = client.body.client.id;
      assert.equal((await embedded.call('POST', `/admin/v1/clients/${clientId}/credits`, { body: { op: 'credit', amount_usd: 5, reason: 'top-up' } })).status, 200);
      assert.equal((await embedded.call('PUT', `/admin/v1/clients/${clientId}/budgets/alice`, { body: { period: 'day', limit_usd: 3 } })).status, 200);

      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(await solidImage(40, 30))], { type: 'image/png' }), 'ref.png');
      const upload = await embedded.call('POST', '/v1/files', { key: metered, body: form });
      assert.equal(upload.status, 201, JSON.stringify(upload.body));
      let file: any;
      do file = (await embedded.call('GET', `/v1/files/${upload.body.id}`, { key: metered })).body;
      while (file.state === 'pending' && (await sleep(50), true));
      assert.equal(file.state, 'ready');

      const ids = [
        await submit(embedded, { prompt: 'a lighthouse at dusk', user_id: 'alice' }, metered, { 'idempotency-key': 'first-lighthouse' }),
        await submit(embedded, { prompt: 'a wide harbour', aspect_ratio: '16:9', output_format: 'jpeg' }, metered),
        await submit(embedded, { prompt: 'waves rolling in', model: 'ray-3.2', type: 'video', video: { resolution: '540p', duration: '5s' } }, metered),
        await submit(embedded, { prompt: 'the reference, at night', type: 'image_edit', source: { file_id: upload.body.id } }, metered),
        await submit(embedded, { prompt: 'this one fails' }, metered, { 'x-atelier-fault': 'generation_failed' }),
        await submit(embedded, { prompt: 'an unmetered client' }, KEY_A),
      ];
      const usageRoute = `/v1/usage?group_by=model&start=${new Date(Date.now() - 86_400_000).toISOString()}&end=${new Date(Date.now() + 86_400_000).toISOString()}`;
      const keyOf = (i: number) => (i === ids.length - 1 ? KEY_A : metered);
      const before = await Promise.all(ids.map((id, i) => ended(embedded, id, keyOf(i))));
      assert.deepEqual(before.map((g) => g.state), ['completed', 'completed', 'completed', 'completed', 'failed', 'completed']);
      const oldUrls = before.flatMap((g) => g.output.map((o: any) => o.url as string));
      const oldBytes = await Promise.all(oldUrls.map(download));
      const usageBefore = (await embedded.call('GET', usageRoute, { key: metered })).body;
      const clientBefore = (await embedded.call('GET', `/admin/v1/clients/${clientId}`)).body;
      const ledgerBefore = (await embedded.call('GET', `/admin/v1/clients/${clientId}/ledger?limit=1000`)).body;
      await stop(embeddedProcess);

      // One more generation left queued: a server without workers takes it, and migrate refuses while that server runs.
      const apiOnlyProcess = await start(['--workers', '0']);
      const queuedId = await submit(api(apiOnlyProcess), { prompt: 'queued across the move' }, KEY_A);
      const refused = await migrate();
      assert.equal(refused.code, 1, refused.stdout);
      assert.match(refused.stderr, /a server is running on .*serve pid \d+.*stop it first/);
      assert.equal(Number((await sql.query(`select count(*) as n from information_schema.tables where table_schema = $1`, [db.schema])).rows[0].n), 0, 'nothing was created');
      await stop(apiOnlyProcess);

      const first = await migrate();
      assert.equal(first.code, 0, first.stderr + first.stdout);
      assert.match(first.stdout, /^generations +7 +7 +7 +0$/m);
      assert.match(first.stdout, /^files +1 +1 +1 +0$/m);
      assert.match(first.stdout, /^jobs +1 +1 +1 +0$/m, 'the queued job travels');
      assert.match(first.stdout, /In flight: 1 queued/);
      assert.match(first.stdout, /Ledger: sums equal for all [1-9]\d* clients/);
      assert.match(first.stdout, /Copied \d+ rows .*Verified/);

      const second = await migrate();
      assert.equal(second.code, 0, second.stderr + second.stdout);
      assert.match(second.stdout, /^generations +7 +7 +0 +7$/m);
      assert.match(second.stdout, /Nothing to change: the target already holds all \d+ rows/);

      // The Postgres deployment, on the same data dir for its blobs; the secret came along in the database.
      const movedProcess = await start([], { DATABASE_URL: db.url });
      const moved = api(movedProcess);
      for (const [i, id] of ids.entries()) {
        const after = (await moved.call('GET', `/v1/generations/${id}`, { key: keyOf(i) })).body;
        assert.deepEqual(stable(after), stable(before[i]), `${id} polls the same`);
      }
      for (const [i, url] of oldUrls.entries()) {
        const minted = new URL(url);
        assert.ok((await download(moved.url + minted.pathname + minted.search)).equals(oldBytes[i]!), `an output URL minted before the move serves the same bytes: ${minted.pathname}`);
      }
      const video = (await moved.call('GET', `/v1/generations/${ids[2]}`, { key: metered })).body;
      assert.ok((await download(video.output[0].url)).equals(oldBytes[2]!), 'a URL minted after the move serves the video');

      assert.deepEqual((await moved.call('GET', `/admin/v1/clients/${clientId}`)).body, clientBefore, 'balance and limits');
      assert.deepEqual((await moved.call('GET', `/admin/v1/clients/${clientId}/ledger?limit=1000`)).body, ledgerBefore);
      assert.deepEqual((await moved.call('GET', `/v1/files/${upload.body.id}`, { key: metered })).body, file);

      const replay = await moved.call('POST', '/v1/generations', { key: metered, body: { prompt: 'a lighthouse at dusk', user_id: 'alice' }, headers: { 'idempotency-key': 'first-lighthouse' } });
      assert.equal(replay.body.id, ids[0], 'an idempotent retry replays the answer given before the move');

      assert.deepEqual((await moved.call('GET', usageRoute, { key: metered })).body, usageBefore, 'usage');

      const queued = await ended(moved, queuedId, KEY_A);
      assert.equal(queued.state, 'completed', 'the generation queued at the move ran on the Postgres server');
      const fresh = await ended(moved, await submit(moved, { prompt: 'after the move', user_id: 'alice' }, metered), metered);
      assert.equal(fresh.state, 'completed');
      assert.ok((await download(fresh.output[0].url)).length > 100);
      const balanceAfter = (await moved.call('GET', `/admin/v1/clients/${clientId}`)).body;
      assert.notDeepEqual(balanceAfter, clientBefore, 'the new generation is charged to the balance carried over');
      await stop(movedProcess);

      // The target has run since: a third migration can't reconcile it and writes nothing.
      const generationsNow = Number((await sql.query('select count(*) as n from generations')).rows[0].n);
      const third = await migrate();
      assert.equal(third.code, 1, third.stdout);
      assert.match(third.stderr, /the target holds other values under the same keys: .*Nothing was written/);
      assert.equal(Number((await sql.query('select count(*) as n from generations')).rows[0].n), generationsNow);
    } finally {
      await stopProcesses(running);
      await sql.end();
      await db.drop();
    }
  },
);

test('atelier migrate creates the schema its URL names, then refuses a target holding rows the source lacks, shows them in the table, and writes nothing', { skip: pgSkip, timeout: 120_000 }, async () => {
  const dataDir = tempDir('atelier-migrate-');
  const schema = `atelier_test_${randomBytes(6).toString('hex')}`;
  const url = new URL(POSTGRES_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const sql = new pg.Client({ connectionString: POSTGRES_URL, options: `-c search_path=${schema}` });
  await sql.connect();
  try {
    const server = await spawnServer(['--data-dir', dataDir], { ATELIER_API_KEYS: KEY_A });
    await stopProcesses([server]);
    const migrate = () => runCli('atelier', ['migrate', '--from', dataDir, '--to', url.toString()]);
    const first = await migrate();
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, new RegExp(`\\(schema ${schema}\\)`));
    const [client] = (await sql.query('select id from clients')).rows;
    await sql.query(`insert into user_budgets (client_id, user_id, period, limit_micros) values ($1, 'bob', 'day', 1000000)`, [client.id]);
    const again = await migrate();
    assert.equal(again.code, 1, again.stdout);
    assert.match(again.stdout, /^user_budgets +0 +1 +0 +0 +MISMATCH$/m);
    assert.match(again.stderr, /the target holds rows the source doesn't .*nothing was written/);
    assert.equal(Number((await sql.query('select count(*) as n from user_budgets')).rows[0].n), 1);
  } finally {
    await sql.query(`drop schema if exists ${schema} cascade`);
    await sql.end();
  }
});

test('atelier migrate says what is wrong with its arguments, has help and completes in bash', async () => {
  const noData = await runCli('atelier', ['migrate', '--from', tempDir('atelier-migrate-'), '--to', 'postgres://127.0.0.1:1/none']);
  assert.equal(noData.code, 1);
  assert.match(noData.stderr, /holds no atelier\.db: --from must be the data dir of an embedded install/);
  const noTarget = await runCli('atelier', ['migrate', '--from', tempDir('atelier-migrate-')], { env: { DATABASE_URL: '' } });
  assert.equal(noTarget.code, 2);
  assert.match(noTarget.stderr, /no target: pass --to postgres:\/\/… \(or set DATABASE_URL\)/);
  const stopped = tempDir('atelier-migrate-');
  await (await openStore({ dataDir: stopped })).close();
  const unreachable = await runCli('atelier', ['migrate', '--from', stopped, '--to', 'postgres://atelier:hunter2-secret@127.0.0.1:1/none']);
  assert.equal(unreachable.code, 1);
  assert.match(unreachable.stderr, /^atelier migrate: cannot reach the target at postgres:\/\/atelier:\*\*\*@127\.0\.0\.1:1\/none: .*\n$/);
  const notPostgres = await runCli('atelier', ['migrate', '--from', stopped, '--to', 'mysql://127.0.0.1/none']);
  assert.equal(notPostgres.code, 1);
  assert.match(notPostgres.stderr, /--to must be a postgres:\/\/ URL/);
  const help = await runCli('atelier', ['migrate', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--from <dir> +data dir of the embedded install/);
  const script = (await runCli('atelier', ['completion', 'bash'])).stdout;
  const complete = (words: string[]) =>
    execFileSync('bash', ['-c', `${script}\nCOMP_WORDS=(${words.join(' ')}); COMP_CWORD=${words.length - 1}; _atelier; echo "\${COMPREPLY[@]}"`], { encoding: 'utf8' }).trim();
  assert.equal(complete(['atelier', 'mig']), 'migrate');
  assert.equal(complete(['atelier', 'migrate', '--t']), '--to');
});

test('atelier migrate after a crash: a killed server blocks it only until its heartbeats lapse; the generation it was running is carried and ends on the Postgres server', { skip: pgSkip, timeout: 120_000 }, async () => {
  const dataDir = tempDir('atelier-migrate-');
  const db = await postgresSchema();
  const running: ServerProcess[] = [];
  try {
    const env = { ATELIER_API_KEYS: KEY_A, ATELIER_RPM: '0', ATELIER_MAX_CONCURRENT: '0', ATELIER_HEARTBEAT_MS: '200', ATELIER_LEASE_MS: '1000', ATELIER_POLL_INTERVAL_MS: '100' };
    const crashing = await spawnServer(['--data-dir', dataDir], env);
    running.push(crashing);
    const embedded = api(crashing);
    // A video takes seconds of ffmpeg: killed while it renders.
    const id = await submit(embedded, { prompt: 'interrupted by a crash', model: 'ray-3.2', type: 'video', video: { resolution: '720p', duration: '5s' } }, KEY_A);
    while ((await embedded.call('GET', `/v1/generations/${id}`)).body.state !== 'processing') await sleep(50);
    crashing.child.kill('SIGKILL');
    await crashing.exited;
    running.pop();

    const migrate = () => runCli('atelier', ['migrate', '--from', dataDir, '--to', db.url]);
    const early = await migrate();
    if (early.code !== 0) assert.match(early.stderr, /a server is running on .*seen 0 s ago/, 'refused only while its heartbeat is fresh');
    await sleep(700);
    const moved = early.code === 0 ? early : await migrate();
    assert.equal(moved.code, 0, moved.stderr);
    assert.match(moved.stdout, /In flight: 0 queued and 1 processing generations carried/);
    assert.match(moved.stdout, new RegExp(`Note: serve pid ${crashing.child.pid} on .* ended without draining`));

    const target = await spawnServer(['--data-dir', dataDir], { ...env, DATABASE_URL: db.url });
    running.push(target);
    const ended = await (async () => {
      for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(100)) {
        const g = (await api(target).call('GET', `/v1/generations/${id}`)).body;
        if (g.state === 'completed' || g.state === 'failed') return g;
      }
      throw new Error(`${id} did not end on the target: ${JSON.stringify((await api(target).call('GET', `/v1/generations/${id}`)).body)}\n${target.lines.slice(-5).join('\n')}`);
    })();
    assert.equal(ended.state, 'completed', `${ended.failure_code} ${ended.failure_reason}`);
  } finally {
    await stopProcesses(running);
    await db.drop();
  }
});
