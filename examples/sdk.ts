import { Atelier, RateLimitError } from 'atelier';

// Reads LUMA_AGENTS_API_KEY and LUMA_BASE_URL (e.g. http://127.0.0.1:8080/v1).
const client = new Atelier();

try {
  const generation = await client.generations.createAndWait(
    { prompt: 'A lighthouse at dusk, long exposure', aspect_ratio: '16:9' },
    { timeout: 120_000, onProgress: (g, ms) => console.error(`${g.state} after ${ms} ms`) },
  );
  if (generation.state === 'failed') {
    console.error(`failed: ${generation.failure_code}: ${generation.failure_reason}`);
    process.exit(1);
  }
  console.log(await client.download(generation.output[0]!, 'lighthouse.png'));
} catch (err) {
  if (err instanceof RateLimitError) console.error(`slow down: retry after ${err.headers.get('retry-after')} s`);
  throw err;
}
