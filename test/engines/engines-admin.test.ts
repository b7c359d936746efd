import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { routingFile } from '../helpers/gateway.js';
import { spawnRole, stopProcesses, type ServerProcess } from '../helpers/process.js';
import { KEY_A } from '../helpers/server.js';
import { tempDir } from '../helpers/temp-dir.js';

const ADMIN = 'engines-admin-secret';

test("atelier api answers GET /admin/v1/engines with the worker process's breakers, from its heartbeats", { timeout: 120_000 }, async () => {
  const dataDir = tempDir();
  // Nothing listens on port 9: every try fails to connect, and one failure opens the breaker.
  const config = routingFile(
    ['engines:', '  unreachable:', '    type: luma', '    base_url: http://127.0.0.1:9/v1', '    breaker: { failures: 1, cooldown_ms: 600000 }', '    in_flight: 7', 'models:', '  uni-1:', '    engines: [unreachable]', ''].join('\n'),
  );
  const env = { ATELIER_API_KEYS: KEY_A, ATELIER_RPM: '0', ATELIER_MAX_CONCURRENT: '0', ATELIER_POLL_INTERVAL_MS: '100', ATELIER_HEARTBEAT_MS: '60000', ATELIER_ADMIN_TOKEN: ADMIN };
  const started: ServerProcess[] = [];
  const engines = async (api: ServerProcess) => (await (await fetch(`${api.url}/admin/v1/engines`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()).data as any[];
  try {
    const api = await spawnRole('api', ['--data-dir', dataDir, '--config', config, '--mode', 'gateway'], env);
    started.push(api);
    assert.deepEqual(
      (await engines(api)).map((row) => [row.engine, row.process, row.breaker, row.in_flight_limit]),
      [['unreachable', null, null, 7]],
      'no process runs its jobs yet',
    );
    const worker = await spawnRole('worker', ['--data-dir', dataDir, '--config', config, '--mode', 'gateway'], env);
    started.push(worker);
    const closed = await engines(api);
    assert.deepEqual(closed.map((row) => [row.process?.startsWith('worker-'), row.pid, row.breaker, row.failures]), [[true, worker.child.pid, 'closed', 0]]);

    const res = await fetch(`${api.url}/v1/generations`, { method: 'POST', headers: { authorization: `Bearer ${KEY_A}`, 'content-type': 'application/json' }, body: JSON.stringify({ prompt: 'breaker' }) });
    assert.equal(res.status, 201);
    // The heartbeat interval is a minute: the open breaker shows because it is recorded when it opens.
    let rows: any[] = [];
    for (const until = Date.now() + 30_000; Date.now() < until; await new Promise((r) => setTimeout(r, 100))) {
      rows = await engines(api);
      if (rows[0]?.breaker === 'open') break;
    }
    assert.equal(rows.length, 1);
    assert.equal(rows[0].breaker, 'open');
    assert.equal(rows[0].failures, 1);
    assert.equal(Date.parse(rows[0].trial_at) - Date.parse(rows[0].opened_at), 600_000);

    const cli = await runCli('atelier', ['engines', '--data-dir', dataDir, '--json']);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual(JSON.parse(cli.stdout).data.map((row: any) => [row.engine, row.pid, row.breaker]), [['unreachable', worker.child.pid, 'open']]);
    await stopProcesses(started.splice(0));
  } finally {
    for (const p of started) p.child.kill('SIGKILL');
    await Promise.all(started.map((p) => p.exited));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
