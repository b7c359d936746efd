import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import pino from 'pino';
import { parse } from 'yaml';
import { loadRoutingFile, Routing } from '../../src/engines/index.js';
import { readDocBlocks } from '../helpers/doc-blocks.js';
import { tempDir } from '../helpers/temp-dir.js';

const examples = path.resolve('examples');

for (const block of readDocBlocks('.', 'docs/engines.md').filter((b) => b.lang === 'yaml')) {
  test(`docs/engines.md:${block.line}: the routing example loads from examples/ and every engine in it starts`, async () => {
    // Saved beside examples/atelier.yaml, so its workflow paths find examples/comfyui/.
    const dir = tempDir();
    fs.symlinkSync(path.join(examples, 'comfyui'), path.join(dir, 'comfyui'));
    const file = path.join(dir, 'atelier.yaml');
    fs.writeFileSync(file, block.text);
    // The secrets it names, as a reader would export them.
    const env = Object.fromEntries([...block.text.matchAll(/\{ env: (\w+) \}/g)].map((m) => [m[1]!, 'secret-from-env']));
    try {
      const spec = loadRoutingFile(file, env);
      const routing = new Routing(spec, 'gateway', { logger: pino({ level: 'silent' }), configDir: spec.dir, now: Date.now });
      try {
        const served = routing.models().map((m) => m.id);
        const named = Object.keys((parse(block.text) as { models?: object }).models ?? {});
        for (const model of named) assert.ok(served.includes(model), `${model} is served (${served.join(', ')})`);
      } finally {
        await routing.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
