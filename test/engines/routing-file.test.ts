import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { routingFile } from '../helpers/gateway.js';

const ENV = { LUMA_UPSTREAM_API_KEY: 'luma-api-upstream' };
const load = (yaml: string, env: NodeJS.ProcessEnv = ENV) => loadConfig({ config: routingFile(yaml) }, env);
const refused = (yaml: string, message: string, env?: NodeJS.ProcessEnv) => assert.throws(() => load(yaml, env), (err: Error) => {
  assert.equal(err.message, message);
  return true;
});

const LUMA = 'engines:\n  luma:\n    type: luma\n    api_key: { env: LUMA_UPSTREAM_API_KEY }\n';

describe('routing file', () => {
  test('a valid file resolves secrets from the environment and applies every default', () => {
    const { routing } = load(`${LUMA}    in_flight: 7\nmodels:\n  uni-1:\n    engines: [luma]\n  team-sdxl:\n    serves: [image]\n    engines: [luma]\n    price_usd: 0.012\n`);
    const luma = routing!.entries.get('luma')!;
    assert.equal(luma.apiKey, 'luma-api-upstream');
    assert.equal(luma.base_url, 'https://agents.lumalabs.ai/v1');
    assert.equal(luma.in_flight, 7);
    assert.equal(luma.poll_interval_ms, 2000);
    assert.deepEqual(luma.breaker, { failures: 5, cooldown_ms: 30_000 });
    assert.deepEqual(routing!.models.get('uni-1')!.serves, ['image', 'image_edit', 'layering']);
    assert.deepEqual(routing!.models.get('team-sdxl')!.prices, { image: 12_000 });
  });

  test("a shared chain serves each type with those of its engines that can; a Luma model keeps the spec's types they cover", () => {
    const { routing } = load('engines:\n  draft: { type: preview }\n  split: { type: layering }\nmodels:\n  uni-1:\n    engines: [draft, split]\n  uni-1-max:\n    engines: [draft]\n');
    assert.deepEqual(routing!.models.get('uni-1')!.chains, { image: ['draft'], image_edit: ['draft'], layering: ['split'] });
    assert.deepEqual(routing!.models.get('uni-1-max')!.serves, ['image', 'image_edit']);
    const { routing: imageOnly } = load('engines:\n  draft: { type: preview }\nmodels:\n  uni-1:\n    engines: [draft]\n');
    assert.deepEqual(imageOnly!.models.get('uni-1')!.serves, ['image', 'image_edit'], 'no layering without an engine for it');
  });

  test('every problem names the file, the path and what is wrong', () => {
    refused('engines: [1]\n', "atelier.yaml: engines: expected object");
    refused(`${LUMA}    in_flight: 0\n`, 'atelier.yaml: engines.luma.in_flight: expected integer to be greater or equal to 1');
    refused(`${LUMA}    colour: blue\n`, 'atelier.yaml: engines.luma.colour: unexpected property');
    refused('engines:\n  x:\n    type: dalle\n', 'atelier.yaml: engines.x.type: unknown engine type \'dalle\'; known: preview, layering, luma, openai-images, comfyui, cog');
    refused(`${LUMA}models:\n  uni-1:\n    engines: [luma, lumaa]\n`, "atelier.yaml: models.uni-1.engines[1]: no engine named 'lumaa'");
    refused(`${LUMA}models:\n  uni-1:\n    by_type: { video: [luma] }\n    engines: [luma]\n`, "atelier.yaml: models.uni-1.by_type.video: model 'uni-1' doesn't serve type 'video'");
    refused(`${LUMA}models:\n  mine:\n    engines: [luma]\n`, "atelier.yaml: models.mine.serves: required for a model the spec doesn't name (e.g. serves: [image])");
    refused(`${LUMA}models:\n  mine:\n    serves: [image]\n    engines: [luma]\n`, "atelier.yaml: models.mine.price_usd: required for a model the spec doesn't name (no price for type 'image')");
    refused(`${LUMA}models:\n  uni-1:\n    serves: [image, sketch]\n    engines: [luma]\n`, 'atelier.yaml: models.uni-1.serves[1]: must be one of image, image_edit, video, video_edit, video_reframe, layering, got "sketch"');
    refused(`${LUMA}models:\n  uni-1:\n    engines: [luma]\n    price_usd: cheap\n`, 'atelier.yaml: models.uni-1.price_usd: must be a number of USD per generation, or a map of generation type to USD');
    refused('engines:\n  p:\n    type: preview\n  l:\n    type: layering\nmodels:\n  uni-1:\n    by_type: { image: [l] }\n    engines: [p]\n', "atelier.yaml: models.uni-1.by_type.image[0]: engine 'l' (layering) doesn't serve type 'image'");
    refused('engines:\n  l:\n    type: layering\nmodels:\n  uni-1:\n    serves: [image]\n    engines: [l]\n', "atelier.yaml: models.uni-1.engines: no engine of [l] serves type 'image'");
    refused('engines:\n  l:\n    type: layering\nmodels:\n  ray-3.2:\n    engines: [l]\n', "atelier.yaml: models.ray-3.2.engines: no engine of [l] serves any type of 'ray-3.2'");
    assert.throws(() => load('models: {\n'), /^Error: atelier\.yaml: not valid YAML: .* at line 2, column 1/);
  });

  test('secrets are named, never written: a literal key is refused, an unset variable stops the start', () => {
    refused('engines:\n  luma:\n    type: luma\n    api_key: luma-api-secret\n', "atelier.yaml: engines.luma.api_key: expected object: write { env: NAME }; secrets aren't written in the file");
    refused(LUMA, 'atelier.yaml: engines.luma.api_key.env: environment variable LUMA_UPSTREAM_API_KEY is not set', {});
  });

  test('a missing file is a configuration error naming it', () => {
    assert.throws(() => loadConfig({ config: '/nonexistent/atelier.yaml' }, {}), /atelier\.yaml: cannot read the routing file \/nonexistent\/atelier\.yaml \(ENOENT\)/);
  });
});
