import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { imageInfo } from '../helpers/images.js';
import { KEY_A, startTestServer, tempDir, type TestServer } from '../helpers/server.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(command, args, { ...options, env: { ...process.env, ...options.env } }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('the README examples are the tested examples', () => {
  let ts: TestServer;
  let cwd: string;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    ts = await startTestServer({ workers: '2' });
    cwd = tempDir();
    env = { LUMA_AGENTS_API_KEY: KEY_A, LUMA_BASE_URL: `${ts.url}/v1`, LUMA_CUSTOM_HEADERS: '' };
  });
  after(async () => {
    await ts.close();
    fs.rmSync(cwd, { recursive: true, force: true });
  });

  test('the SDK example is in the README verbatim, and it runs', async () => {
    const example = read('examples/sdk.ts').replace("'../src/client/index.js'", "'atelier'");
    assert.ok(read('README.md').includes(example), 'README shows examples/sdk.ts (importing from "atelier")');
    const result = await run(process.execPath, [path.join(ROOT, 'dist/examples/sdk.js')], { cwd, env });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'lighthouse.png\n');
    assert.match(result.stderr, /completed after \d+ ms/);
    assert.deepEqual(await imageInfo(fs.readFileSync(path.join(cwd, 'lighthouse.png'))), { format: 'png', width: 2784, height: 1504 });
  });

  test('the CLI example is in the README verbatim, and it runs', async () => {
    const script = read('examples/cli.sh');
    const body = script.slice(script.indexOf('# Generate'));
    assert.ok(read('README.md').includes(body), 'README shows examples/cli.sh');
    const bin = path.join(cwd, 'bin');
    fs.mkdirSync(bin);
    for (const name of ['atelier', 'luma-agents-cli']) {
      fs.writeFileSync(path.join(bin, name), `#!/bin/sh\nexec "${process.execPath}" "${path.join(ROOT, 'dist/src/cli', `${name}.js`)}" "$@"\n`, { mode: 0o755 });
    }
    const result = await run('bash', [path.join(ROOT, 'examples/cli.sh')], { cwd, env: { ...env, PATH: `${bin}:${process.env.PATH}` } });
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trim().split('\n');
    assert.equal(lines[0], 'coffee.png');
    assert.match(lines.at(-2)!, /^https?:\/\/\S+$/, '--transform output.0.url -r prints the bare URL');
    assert.equal(JSON.parse(lines.at(-1)!).state, 'completed');
    assert.deepEqual(await imageInfo(fs.readFileSync(path.join(cwd, 'sunset.jpg'))), { format: 'jpeg', width: 2048, height: 2048 });
  });
});
