import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { docScript, isShell, readDocBlocks, type DocBlock } from '../helpers/doc-blocks.js';
import { imageInfo } from '../helpers/images.js';
import { tempDir } from '../helpers/temp-dir.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');
const DOCS = ['README.md', 'docs/emulator.md', 'docs/extensions.md'];
/** Languages a reader runs; other blocks (json, http, yaml …) show data. */
const RUNNABLE = new Set(['sh', 'bash', 'shell', 'ts', 'js', 'mjs', 'python']);

/** The docs use fixed ports (8080, 8787): each run gets a network namespace of its own, with only loopback. */
const canUnshare = spawnSync('unshare', ['--net', 'true']).status === 0;

/** The absolute path of a Python that has pytest: the one on PATH, else Debian's (python3-pytest). */
function pythonWithPytest(): string | null {
  for (const python of ['python3', '/usr/bin/python3']) {
    const found = spawnSync(python, ['-c', 'import pytest, sys; print(sys.executable)'], { encoding: 'utf8' });
    if (found.status === 0) return found.stdout.trim();
  }
  return null;
}

/** The tail of every server log of a run, for a failure message. */
function serverLogs(run: string): string {
  return fs
    .readdirSync(run)
    .filter((f) => f.endsWith('.log'))
    .map((f) => `--- ${f}\n${fs.readFileSync(path.join(run, f), 'utf8').split('\n').slice(-20).join('\n')}`)
    .join('\n');
}

/** Runs a document's script in a network namespace of its own; on timeout its whole process group is killed and what it printed so far is kept. */
function runScript(script: string, cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = spawn('unshare', ['--net', 'bash', '-c', 'ip link set lo up && exec bash "$0"', script], {
      cwd,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk) => (stdout += chunk));
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      stderr += `\ndocs-test: timed out after ${timeoutMs} ms`;
      process.kill(-child.pid!, 'SIGTERM');
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

/** Every block of code is run, saved as a file, shown verbatim from examples/, or says why not. */
function checkAccounted(blocks: DocBlock[]): void {
  for (const block of blocks) {
    if (!RUNNABLE.has(block.lang) || isShell(block) || block.marker) continue;
    const example = block.lang === 'ts' && read('examples/sdk.ts').trim() === block.text.trim();
    assert.ok(example, `${block.file}:${block.line}: a ${block.lang} block must be run, saved (docs-test: file) or marked docs-test: skip (why)`);
  }
}

describe('every command block of README.md, docs/emulator.md and docs/extensions.md runs as written', { skip: !canUnshare && 'needs `unshare --net` (root) to give the docs their own loopback ports' }, () => {
  let scratch: string;
  let prefix: string;
  let checkout: string;
  let env: NodeJS.ProcessEnv;
  before(() => {
    scratch = tempDir();
    prefix = path.join(scratch, 'npm-global');
    // A checkout of the repo as a newcomer has it after `npm ci`: the built tree, without ./data.
    checkout = path.join(scratch, 'atelier');
    fs.mkdirSync(checkout);
    for (const entry of fs.readdirSync(ROOT)) {
      if (!['data', '.git'].includes(entry)) fs.symlinkSync(path.join(ROOT, entry), path.join(checkout, entry));
    }
    const bin = path.join(scratch, 'bin');
    fs.mkdirSync(bin);
    const python = pythonWithPytest();
    if (python) {
      for (const name of ['python', 'python3']) fs.writeFileSync(path.join(bin, name), `#!/bin/sh\nexec ${python} "$@"\n`, { mode: 0o755 });
    }
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(ATELIER_|LUMA_|npm_|NODE_TEST_CONTEXT)/.test(k)));
    env = {
      ...clean,
      // `npm link` installs into this prefix, whose bin is on PATH as a global npm's is.
      PATH: `${prefix}/bin:${bin}:${process.env.PATH}`,
      npm_config_prefix: prefix,
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_update_notifier: 'false',
      NO_COLOR: '1',
      // A hanging pytest prints every thread's stack instead of waiting out the test's timeout.
      PYTEST_ADDOPTS: '-o faulthandler_timeout=90',
    };
  });
  after(() => {
    for (const file of fs.existsSync(scratch) ? fs.readdirSync(scratch).filter((f) => f.endsWith('server-pids')) : []) {
      for (const pid of fs.readFileSync(path.join(scratch, file), 'utf8').split('\n').filter(Boolean)) {
        try {
          process.kill(-Number(pid), 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  for (const doc of DOCS) {
    test('marks are well formed and every block is accounted for: ' + doc, () => checkAccounted(readDocBlocks(ROOT, doc)));
  }

  test('README.md, from a checkout: install, serve, submit, edit, layer, SDK, CLI, admin, clock', async () => {
    const run = path.join(scratch, 'readme');
    fs.mkdirSync(run);
    const script = path.join(run, 'script.sh');
    fs.writeFileSync(script, docScript(readDocBlocks(ROOT, 'README.md'), run));
    const result = await runScript(script, checkout, env, 240_000);
    assert.equal(result.code, 0, `${result.stderr}\n${result.stdout}\n${serverLogs(run)}`);
    assert.doesNotMatch(result.stderr, /npm warn/, 'the documented npm commands run without warnings');
    assert.deepEqual(await imageInfo(fs.readFileSync(path.join(checkout, 'coffee.png'))), { format: 'png', width: 2048, height: 2048 });
    assert.deepEqual(await imageInfo(fs.readFileSync(path.join(checkout, 'sunset.jpg'))), { format: 'jpeg', width: 2048, height: 2048 });
    assert.deepEqual(await imageInfo(fs.readFileSync(path.join(checkout, 'lighthouse.png'))), { format: 'png', width: 2784, height: 1504 });
    assert.ok(fs.existsSync(path.join(prefix, 'bin', 'atelier')), 'npm link put atelier on PATH');
  });

  /** Runs a document's blocks from a fresh project directory outside the repo, with `atelier` linked as the README's install step does. */
  async function runFromProject(doc: string, name: string) {
    const run = path.join(scratch, name);
    const project = path.join(scratch, `${name}-project`);
    fs.mkdirSync(run);
    fs.mkdirSync(project);
    const link = spawnSync('npm', ['link', '--ignore-scripts'], { cwd: checkout, env, encoding: 'utf8' });
    assert.equal(link.status, 0, link.stderr);
    const script = path.join(run, 'script.sh');
    fs.writeFileSync(script, docScript(readDocBlocks(ROOT, doc), run));
    const result = await runScript(script, project, env, 240_000);
    assert.equal(result.code, 0, `${result.stderr}\n${result.stdout}\n${serverLogs(run)}`);
    assert.doesNotMatch(result.stderr, /npm warn/, 'the documented npm commands run without warnings');
    return result;
  }

  test('docs/emulator.md, from a fresh project directory outside the repo', async (t) => {
    if (!pythonWithPytest()) return t.skip('docs/emulator.md runs a pytest suite: install pytest (Debian: apt-get install python3-pytest)');
    await runFromProject('docs/emulator.md', 'emulator');
  });

  test('docs/extensions.md, from a fresh project directory: wait, idempotent replay, cancel, list, events', async () => {
    const { stdout } = await runFromProject('docs/extensions.md', 'extensions');
    assert.match(stdout, /^\{"id":"[^"]+","type":"image","state":"completed"/, 'Prefer: wait answered the completed generation');
    assert.match(stdout, /^idempotent-replayed: true\r?$/im);
    assert.match(stdout, /"state":"failed"[^\n]*"failure_reason":"Generation was cancelled by the client"[^\n]*"cancelled_at":"/);
    assert.match(stdout, /\{"data":\[\{"id":"[^"]+","type":"image","state":"failed"/, 'the list starts with the cancelled one');
    assert.match(stdout, /^event: generation\.completed$/m, 'the event stream ended with the completed event');
  });

  test('the CLI example is in the README verbatim', () => {
    const script = read('examples/cli.sh');
    assert.ok(read('README.md').includes(script.slice(script.indexOf('# Generate'))), 'README shows examples/cli.sh');
  });
});
