import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import pino from 'pino';
import { loadRoutingFile, Routing } from '../../src/engines/index.js';

test('examples/atelier.yaml loads, and every engine in it starts (its ComfyUI workflows included)', async () => {
  const spec = loadRoutingFile(path.resolve('examples/atelier.yaml'), {});
  const routing = new Routing(spec, 'gateway', { logger: pino({ level: 'silent' }), configDir: spec.dir, now: Date.now });
  try {
    const models = Object.fromEntries(routing.models().map((m) => [m.id, [...m.types]]));
    assert.deepEqual(models['team-flux'], ['image', 'image_edit']);
    assert.deepEqual(models['uni-1'], ['image', 'image_edit']);
    assert.deepEqual(models['ray-3.2'], ['video']);
  } finally {
    await routing.close();
  }
});
