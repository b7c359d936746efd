import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { loadConfig, withDotEnv } from '../src/config.js';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/temp-dir.js';

test('.env in the working directory: flags > environment > .env > defaults', () => {
  const dir = tempDir();
  try {
    fs.writeFileSync(
      path.join(dir, '.env'),
      '# comment\nATELIER_PORT=9123\nexport ATELIER_RPM=7\nATELIER_API_KEYS="luma-api-from-dotenv"\nATELIER_MAX_CONCURRENT=3\n',
    );
    const env = withDotEnv({ ATELIER_RPM: '11' }, dir);
    const config = loadConfig({ maxConcurrent: '5' }, env);
    assert.equal(config.port, 9123, '.env over the default');
    assert.equal(config.rpm, 11, 'the environment over .env');
    assert.equal(config.maxConcurrent, 5, 'a flag over .env');
    assert.deepEqual(config.apiKeys, ['luma-api-from-dotenv'], 'quotes removed');
    assert.equal(loadConfig({}, withDotEnv({}, tempDir())).port, 8080, 'no .env: the defaults');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('atelier serve reads ./.env at start: a bad value there is named like any setting', async () => {
  const dir = tempDir();
  try {
    fs.writeFileSync(path.join(dir, '.env'), 'ATELIER_PORT=not-a-port\n');
    const result = await runCli('atelier', ['serve'], { cwd: dir });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /ATELIER_PORT/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
