import type { GenerationCreate } from '../../src/contract/schemas.js';

/** POSIX shell single-quoting. */
const sh = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

export function curlSnippet(origin: string, body: GenerationCreate): string {
  return [
    `curl -sS ${sh(`${origin}/v1/generations`)} \\`,
    `  -H "Authorization: Bearer $LUMA_AGENTS_API_KEY" \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  -d ${sh(JSON.stringify(body, null, 2))}`,
  ].join('\n');
}

export function sdkSnippet(origin: string, body: GenerationCreate): string {
  return [
    `import Atelier from 'atelier';`,
    ``,
    `// Reads LUMA_AGENTS_API_KEY from the environment.`,
    `const client = new Atelier({ baseURL: ${JSON.stringify(origin)} });`,
    `const generation = await client.generations.createAndWait(${JSON.stringify(body, null, 2).replace(/\n/g, '\n')});`,
    `console.log(generation.output.map((o) => o.url));`,
  ].join('\n');
}

const FLAGS: Array<[keyof GenerationCreate, string]> = [
  ['prompt', 'prompt'],
  ['model', 'model'],
  ['type', 'type'],
  ['aspect_ratio', 'aspect-ratio'],
  ['style', 'style'],
  ['output_format', 'output-format'],
  ['user_id', 'user-id'],
];

export function cliSnippet(origin: string, body: GenerationCreate): string {
  const lines = [`LUMA_BASE_URL=${sh(origin)} luma-agents-cli generations create`];
  for (const [field, flag] of FLAGS) {
    const value = body[field];
    if (typeof value === 'string') lines.push(`--${flag} ${sh(value)}`);
  }
  if (body.web_search) lines.push('--web-search');
  for (const ref of body.image_ref ?? []) lines.push(`--image-ref ${sh(JSON.stringify(ref))}`);
  if (body.source) lines.push(`--source ${sh(JSON.stringify(body.source))}`);
  if (body.video) lines.push(`--video ${sh(JSON.stringify(body.video))}`);
  if (body.layering) lines.push(`--layering ${sh(JSON.stringify(body.layering))}`);
  return lines.join(' \\\n  ');
}
