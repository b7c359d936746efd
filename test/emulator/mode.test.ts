import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.js';
import { tempDir } from '../helpers/temp-dir.js';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/atelier.js');

test('emulator mode is the default, with instant latency, the system clock and no chaos', () => {
  const config = loadConfig({}, {});
  assert.equal(config.mode, 'emulator');
  assert.deepEqual(config.latency, { kind: 'instant' });
  assert.equal(config.clock, 'system');
  assert.equal(config.chaos, 0);
  assert.equal(config.timeScale, 1);
  assert.deepEqual(config.keyFaults, {});
});

test('the emulator settings come from flags and their env twins', () => {
  const config = loadConfig(
    { latency: 'fixed:250', clock: 'virtual' },
    { ATELIER_MODE: 'emulator', ATELIER_TIME_SCALE: '0.01', ATELIER_CHAOS: '0.2', ATELIER_CHAOS_SEED: '42', ATELIER_LATENCY: 'realistic' },
  );
  assert.deepEqual(config.latency, { kind: 'fixed', ms: 250 });
  assert.equal(config.clock, 'virtual');
  assert.equal(config.timeScale, 0.01);
  assert.equal(config.chaos, 0.2);
  assert.equal(config.chaosSeed, 42);
});

test('ATELIER_KEY_FAULTS takes a JSON object or a file holding one', () => {
  const json = JSON.stringify({ 'luma-api-abc': 'http:429', 'luma-api-def': 'flaky:3' });
  assert.deepEqual(loadConfig({}, { ATELIER_KEY_FAULTS: json }).keyFaults, JSON.parse(json));
  const file = path.join(tempDir(), 'faults.json');
  fs.writeFileSync(file, json);
  assert.deepEqual(loadConfig({ keyFaults: file }, {}).keyFaults, JSON.parse(json));
  const loose = JSON.stringify({ 'luma-api-abc': ' latency:0100 ', 'luma-api-def': 'none' });
  assert.deepEqual(loadConfig({ keyFaults: loose }, {}).keyFaults, { 'luma-api-abc': 'latency:100' }, 'read like any fault text, kept canonical');
});

test('bad emulator settings are refused with the setting named', () => {
  const refused = (flags: Record<string, string>, pattern: RegExp) =>
    assert.throws(() => loadConfig(flags, {}), (err: Error) => err instanceof ConfigError && pattern.test(err.message), JSON.stringify(flags));
  refused({ mode: 'proxy' }, /mode \(ATELIER_MODE\) must be one of emulator, gateway/);
  refused({ latency: 'slow' }, /latency \(ATELIER_LATENCY\) must be instant, realistic or fixed:<ms>/);
  refused({ timeScale: '0' }, /timeScale \(ATELIER_TIME_SCALE\)/);
  refused({ chaos: '1.5' }, /chaos \(ATELIER_CHAOS\) must be a rate between 0 and 1/);
  refused({ chaosSeed: 'x' }, /chaosSeed/);
  refused({ clock: 'sundial' }, /clock \(ATELIER_CLOCK\)/);
  refused({ keyFaults: '{"luma-api-a": "meltdown"}' }, /'meltdown' is not a fault/);
  refused({ keyFaults: '{"sk-a": "stuck"}' }, /must start with 'luma-api-'/);
  refused({ keyFaults: '{not json' }, /must be a JSON object/);
});

test('gateway mode refuses every emulator extra instead of ignoring it', () => {
  for (const flags of [{ latency: 'realistic' }, { clock: 'virtual' }, { chaos: '0.1' }, { keyFaults: '{"luma-api-a": "stuck"}' }]) {
    assert.throws(() => loadConfig({ mode: 'gateway', ...flags }, {}), /emulator features are refused in gateway mode/, JSON.stringify(flags));
  }
  assert.equal(loadConfig({ mode: 'gateway' }, {}).mode, 'gateway');
});

test('atelier serve --mode gateway --chaos 0.1 exits 2 with the reason', async () => {
  const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    execFile(process.execPath, [CLI, 'serve', '--mode', 'gateway', '--chaos', '0.1', '--port', '0', '--data-dir', tempDir()], (err, _stdout, stderr) =>
      resolve({ code: err ? (err as { code: number }).code : 0, stderr }),
    );
  });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /--chaos: emulator features are refused in gateway mode/);
});
