import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { readDocBlocks } from '../helpers/doc-blocks.js';
import { tempDir } from '../helpers/temp-dir.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const python = ['python3', '/usr/bin/python3'].find((p) => spawnSync(p, ['-m', 'pytest', '--version']).status === 0);

/** The conftest.py that docs/emulator.md asks the reader to save. */
function documentedConftest(): string {
  const block = readDocBlocks(ROOT, 'docs/emulator.md').find((b) => b.marker?.kind === 'file' && b.marker.name === 'conftest.py');
  assert.ok(block, 'docs/emulator.md has a conftest.py block');
  return block.text;
}

function pytest(cwd: string, bin: string) {
  return new Promise<{ code: number; out: string; ms: number }>((resolve) => {
    const started = Date.now();
    execFile(
      python!,
      ['-m', 'pytest', '-q', '-p', 'no:cacheprovider'],
      { cwd, timeout: 120_000, env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr, ms: Date.now() - started }),
    );
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("docs/emulator.md's pytest fixture", { skip: !python && 'needs Python 3 with pytest (Debian: apt-get install python3-pytest)' }, () => {
  let dir: string;
  before(() => {
    dir = tempDir();
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('starts a real server, and stops it and its process group when the session ends', async () => {
    const project = path.join(dir, 'ok');
    const bin = path.join(dir, 'ok-bin');
    fs.mkdirSync(project);
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'atelier'), `#!/bin/sh\nexec "${process.execPath}" "${path.join(ROOT, 'dist/src/cli/atelier.js')}" "$@"\n`, { mode: 0o755 });
    fs.writeFileSync(path.join(project, 'conftest.py'), documentedConftest());
    fs.writeFileSync(
      path.join(project, 'test_pid.py'),
      [
        'import json, urllib.request',
        'def test_serves(atelier):',
        '    open("server.pid", "w").write(str(atelier.process.pid))',
        '    assert json.load(urllib.request.urlopen(atelier.url + "/healthz", timeout=10)) == {"status": "ok"}',
        '    assert atelier.advance(60)["virtual"] is True',
        '',
      ].join('\n'),
    );
    const result = await pytest(project, bin);
    assert.equal(result.code, 0, result.out);
    const pid = Number(fs.readFileSync(path.join(project, 'server.pid'), 'utf8'));
    assert.ok(pid > 0);
    assert.equal(alive(pid), false, 'the server is stopped when pytest ends');
    assert.equal(alive(-pid), false, 'so is its process group');
  });

  test('fails at once, saying so, when the server exits before it is ready', async () => {
    const project = path.join(dir, 'broken');
    const bin = path.join(dir, 'broken-bin');
    fs.mkdirSync(project);
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'atelier'), '#!/bin/sh\necho "no such thing" >&2\nexit 3\n', { mode: 0o755 });
    fs.writeFileSync(path.join(project, 'conftest.py'), documentedConftest());
    fs.writeFileSync(path.join(project, 'test_never.py'), 'def test_never(atelier):\n    pass\n');
    const result = await pytest(project, bin);
    assert.notEqual(result.code, 0);
    assert.match(result.out, /atelier serve exited with code 3 before http:\/\/127\.0\.0\.1:\d+ was ready/);
    assert.ok(result.ms < 20_000, `failed fast (${result.ms} ms), not after the 60 s deadline`);
  });
});
